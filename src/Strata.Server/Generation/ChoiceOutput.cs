using System.Text;
using Strata.Engine.Requests;
using Strata.Server.Tools;

namespace Strata.Server.Generation;

/// <summary>One choice of a non-streamed response, gathered from its updates.</summary>
internal sealed class ChoiceOutput(int index)
{
    private double _logprob;

    private readonly StringBuilder _text = new();
    private readonly List<LogprobEntry> _logprobs = [];
    private readonly List<(string Id, string Name, StringBuilder Arguments)> _toolCalls = [];

    public int Index { get; set; } = index;

    /// <summary>The sum of the chosen tokens' log-probabilities (when the engine reported them), for <c>best_of</c>.</summary>
    public double CumulativeLogprob => _logprob;

    public string Text => _text.ToString();

    public IReadOnlyList<LogprobEntry> Logprobs => _logprobs;

    public FinishReason? Finish { get; private set; }

    public int CompletionTokens { get; private set; }

    public bool CalledTools { get; private set; }

    /// <summary>The tool calls, their argument fragments joined.</summary>
    public IEnumerable<(string Id, string Name, string Arguments)> ToolCalls => _toolCalls.Select(c => (c.Id, c.Name, c.Arguments.ToString()));

    public void Apply(ChoiceUpdate update)
    {
        _text.Append(update.Text);
        _logprob += update.Logprob;
        if (update.Logprobs is { } logprobs)
            _logprobs.Add(logprobs);
        foreach (var delta in update.ToolCalls ?? [])
        {
            if (delta.Id is not null)
                _toolCalls.Add((delta.Id, delta.Name!, new StringBuilder()));
            _toolCalls[delta.Index].Arguments.Append(delta.Arguments);
        }
        if (update.Finish is { } finish)
        {
            Finish = finish;
            CompletionTokens = update.CompletionTokens;
            CalledTools = update.CalledTools;
        }
    }
}
