using System.Diagnostics;
using Strata.Engine.Requests;
using Strata.Server.Telemetry;

namespace Strata.Server.Generation;

/// <summary>
/// A request running in the engine, read as <see cref="ChoiceUpdate"/>s. It records the request's latencies as events
/// arrive, and disposing it before the engine has finished cancels the request, so no path out of an endpoint
/// leaves a sequence holding KV blocks.
/// </summary>
internal sealed class ActiveGeneration : IDisposable
{
    private readonly GenerationHandle _handle;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationToken _clientAborted;
    private readonly RequestTimer _timer;
    private readonly LogprobFormatter? _logprobs;
    private readonly int[] _textOffsets;
    private readonly Activity? _activity;
    private readonly string[] _finishReasons;
    private int _unfinished;
    private int _longestChoice;
    private bool _interrupted;

    public ActiveGeneration(GenerationHandle handle, int choices, CancellationTokenSource cancellation, CancellationToken clientAborted,
        RequestTimer timer, LogprobFormatter? logprobs, Activity? activity)
    {
        _activity = activity;
        _finishReasons = new string[choices];
        _handle = handle;
        _cancellation = cancellation;
        _clientAborted = clientAborted;
        _timer = timer;
        _logprobs = logprobs;
        _textOffsets = new int[choices];
        _unfinished = choices;
        Choices = choices;
    }

    public int Choices { get; }

    public int PromptTokens => _handle.PromptTokens;

    public int CachedTokens => _handle.CachedTokens;

    /// <summary>Tokens generated over all choices so far (counted as each choice finishes).</summary>
    public int CompletionTokens { get; private set; }

    public TimeSpan? TimeToFirstToken => _timer.FirstToken;

    /// <summary>The client closed the connection; nothing more can reach it.</summary>
    public bool ClientGone => _clientAborted.IsCancellationRequested;

    public ValueTask<bool> WaitToReadAsync() => _handle.Events.WaitToReadAsync(CancellationToken.None);

    public bool TryRead(out ChoiceUpdate update)
    {
        if (!_handle.Events.TryRead(out var e))
        {
            update = default;
            return false;
        }
        update = e switch
        {
            TokenEvent token => OnToken(token),
            FinishEvent finish => OnFinish(finish),
            _ => throw new InvalidOperationException($"unexpected engine event {e.GetType().Name}"),
        };
        return true;
    }

    public void Dispose()
    {
        if (_unfinished > 0)
            _cancellation.Cancel();
        _cancellation.Dispose();
        if (_activity is not null)
            RequestTracing.Finish(_activity, _handle, CompletionTokens, _finishReasons, completed: _unfinished == 0 && !_interrupted);
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
        return new ChoiceUpdate(token.Choice, token.Text, logprobs, null, 0);
    }

    private ChoiceUpdate OnFinish(FinishEvent finish)
    {
        _interrupted |= finish.Reason is FinishReason.Cancelled or FinishReason.Error;
        _longestChoice = Math.Max(_longestChoice, finish.CompletionTokens);
        CompletionTokens += finish.CompletionTokens;
        _finishReasons[finish.Choice] = finish.Reason.ToString().ToLowerInvariant();
        if (--_unfinished == 0 && !_interrupted)
            _timer.OnCompleted(_longestChoice);
        return new ChoiceUpdate(finish.Choice, finish.Text, null, finish.Reason, finish.CompletionTokens);
    }
}
