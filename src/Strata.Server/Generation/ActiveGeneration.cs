using System.Diagnostics;
using Strata.Engine.Requests;
using Strata.Server.Telemetry;
using Strata.Server.Tools;

namespace Strata.Server.Generation;

/// <summary>
/// A request running in the engine (one engine request per prompt of a batch; their choices numbered prompt by
/// prompt, as OpenAI does), read as <see cref="ChoiceUpdate"/>s. It records the request's latencies as events
/// arrive, and disposing it before the engine has finished cancels the request, so no path out of an endpoint
/// leaves a sequence holding KV blocks.
/// </summary>
internal sealed class ActiveGeneration : IDisposable
{
    private readonly IReadOnlyList<GenerationHandle> _handles;
    private readonly int _choicesPerPrompt;
    private readonly IReadOnlyList<string>? _echo;
    private readonly bool[] _started;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationToken _clientAborted;
    private readonly RequestTimer _timer;
    private string[] _finishReasons = [];
    private readonly LogprobFormatter? _logprobs;
    private readonly int[] _textOffsets;
    private readonly ToolCallStream[]? _tools;
    private int _current;
    private int _unfinished;
    private int _longestChoice;
    private bool _interrupted;

    /// <param name="echo">Per prompt, text to put before each of its choices' output (the prompt, for <c>echo</c>).</param>
    public ActiveGeneration(IReadOnlyList<GenerationHandle> handles, int choicesPerPrompt, CancellationTokenSource cancellation, CancellationToken clientAborted,
        RequestTimer timer, LogprobFormatter? logprobs, ToolCallFormat? tools = null, IReadOnlyList<string>? echo = null)
    {
        _handles = handles;
        _choicesPerPrompt = choicesPerPrompt;
        _echo = echo;
        var choices = handles.Count * choicesPerPrompt;
        _started = new bool[choices];
        _cancellation = cancellation;
        _clientAborted = clientAborted;
        _timer = timer;
        _logprobs = logprobs;
        _textOffsets = new int[choices];
        _tools = tools is null ? null : Enumerable.Range(0, choices).Select(_ => new ToolCallStream(tools)).ToArray();
        _unfinished = choices;
        Choices = choices;
    }

    /// <summary>Choices generated (per prompt: <c>best_of</c>, or <c>n</c>), all prompts together.</summary>
    public int Choices { get; }

    public int ChoicesPerPrompt => _choicesPerPrompt;

    /// <summary>Choices returned per prompt (<c>n</c>): the most likely of <see cref="ChoicesPerPrompt"/> when fewer.</summary>
    public int ReturnedPerPrompt { get; init; }

    /// <summary>The service tier the request was served in (echoed as <c>service_tier</c>).</summary>
    public ServiceTier Tier { get; init; } = ServiceTier.Default;

    /// <summary>The tenant's concurrency slot, given back when the generation ends.</summary>
    public IDisposable? Lease { get; init; }

    public int PromptTokens => _handles.Sum(h => h.PromptTokens);

    public int CachedTokens => _handles.Sum(h => h.CachedTokens);

    /// <summary>Tokens generated over all choices so far (counted as each choice finishes).</summary>
    public int CompletionTokens { get; private set; }

    public TimeSpan? TimeToFirstToken => _timer.FirstToken;

    /// <summary>The request's span, ended with its token counts and the engine's timeline when this generation is disposed.</summary>
    public Activity? Activity { get; init; }

    /// <summary>The client closed the connection; nothing more can reach it.</summary>
    public bool ClientGone => _clientAborted.IsCancellationRequested;

    /// <summary>Waits for events; the prompts' events are read one prompt after another (all of them run at once).</summary>
    public async ValueTask<bool> WaitToReadAsync()
    {
        for (; _current < _handles.Count; _current++)
        {
            if (await _handles[_current].Events.WaitToReadAsync(CancellationToken.None))
                return true;
        }
        return false;
    }

    public bool TryRead(out ChoiceUpdate update)
    {
        if (_current >= _handles.Count || !_handles[_current].Events.TryRead(out var e))
        {
            update = default;
            return false;
        }
        var offset = _current * _choicesPerPrompt;
        update = e switch
        {
            TokenEvent token => OnToken(token with { Choice = token.Choice + offset }),
            FinishEvent finish => OnFinish(finish with { Choice = finish.Choice + offset }),
            _ => throw new InvalidOperationException($"unexpected engine event {e.GetType().Name}"),
        };
        return true;
    }

    public void Dispose()
    {
        if (Activity is not null)
            RequestTracing.Finish(Activity, _handles, CompletionTokens, _finishReasons, completed: _unfinished == 0 && !_interrupted);
        if (_unfinished > 0)
            _cancellation.Cancel();
        _cancellation.Dispose();
        Lease?.Dispose();
    }

    private ChoiceUpdate OnToken(TokenEvent token)
    {
        _timer.OnToken();
        LogprobEntry? logprobs = null;
        if (_logprobs is not null && token.Logprob is { } chosen)
        {
            var formatted = _logprobs.Format(chosen);
            logprobs = new LogprobEntry(formatted, token.TopLogprobs.Select(_logprobs.Format).ToArray(), _textOffsets[token.Choice]);
            _textOffsets[token.Choice] += formatted.Text.Length;
        }
        var logprob = token.Logprob?.Logprob ?? 0;
        if (_tools?[token.Choice] is { } stream)
        {
            var (content, calls) = stream.Push(token.Text);
            return new ChoiceUpdate(token.Choice, content, logprobs, null, 0, calls, Logprob: logprob);
        }
        return new ChoiceUpdate(token.Choice, Echoed(token.Choice, token.Text), logprobs, null, 0, Logprob: logprob);
    }

    private ChoiceUpdate OnFinish(FinishEvent finish)
    {
        _interrupted |= finish.Reason is FinishReason.Cancelled or FinishReason.Error;
        _longestChoice = Math.Max(_longestChoice, finish.CompletionTokens);
        CompletionTokens += finish.CompletionTokens;
        if (_finishReasons.Length == 0)
            _finishReasons = new string[Choices];
        _finishReasons[finish.Choice] = finish.Reason.ToString().ToLowerInvariant();
        if (--_unfinished == 0 && !_interrupted)
            _timer.OnCompleted(_longestChoice);
        if (_tools?[finish.Choice] is { } stream)
        {
            var (content, calls) = stream.Finish(finish.Text);
            return new ChoiceUpdate(finish.Choice, content, null, finish.Reason, finish.CompletionTokens, calls, stream.CalledTools);
        }
        return new ChoiceUpdate(finish.Choice, Echoed(finish.Choice, finish.Text), null, finish.Reason, finish.CompletionTokens);
    }

    /// <summary>The choice's first text starts with its prompt when the client asked for <c>echo</c>.</summary>
    private string Echoed(int choice, string text)
    {
        if (_echo is null || _started[choice])
            return text;
        _started[choice] = true;
        return _echo[choice / _choicesPerPrompt] + text;
    }
}
