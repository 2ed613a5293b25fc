using System.Text;
using Strata.Engine.Requests;

namespace Strata.Server.Generation;

/// <summary>One choice of a non-streamed response, gathered from its updates.</summary>
internal sealed class ChoiceOutput(int index)
{
    private readonly StringBuilder _text = new();
    private readonly List<LogprobEntry> _logprobs = [];

    public int Index { get; } = index;

    public string Text => _text.ToString();

    public IReadOnlyList<LogprobEntry> Logprobs => _logprobs;

    public FinishReason? Finish { get; private set; }

    public int CompletionTokens { get; private set; }

    public void Apply(ChoiceUpdate update)
    {
        _text.Append(update.Text);
        if (update.Logprobs is { } logprobs)
            _logprobs.Add(logprobs);
        if (update.Finish is { } finish)
        {
            Finish = finish;
            CompletionTokens = update.CompletionTokens;
        }
    }
}
