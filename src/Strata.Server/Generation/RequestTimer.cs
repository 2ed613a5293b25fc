using System.Diagnostics;
using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Server.Metrics;

namespace Strata.Server.Generation;

/// <summary>
/// Measures one request's time to first token, time per output token and end-to-end latency, overall and for its
/// service tier, with whether it met the tier's targets and how far the predicted time to first token was off.
/// </summary>
/// <param name="genAi">The GenAI attributes of the request (operation and model), recorded with each latency.</param>
internal sealed class RequestTimer(ServerMetrics metrics, SloMetrics slo, TagList genAi, ServiceTier tier, SloTarget target)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private TimeSpan? _firstToken;

    /// <summary>Time from submission to the first token, once there was one.</summary>
    public TimeSpan? FirstToken => _firstToken;

    /// <summary>The time to first token predicted at submission (null when none was made).</summary>
    public TimeSpan? Predicted { get; set; }

    public void OnToken()
    {
        if (_firstToken is not null)
            return;
        _firstToken = Stopwatch.GetElapsedTime(_start);
        metrics.TimeToFirstToken(_firstToken.Value.TotalSeconds, genAi);
        slo.ObserveFirstToken(tier, _firstToken.Value.TotalSeconds, Predicted);
    }

    /// <summary>Records the latencies of a request that ran to its end (not one cancelled or failed).</summary>
    public void OnCompleted(int longestChoiceTokens)
    {
        var total = Stopwatch.GetElapsedTime(_start);
        double? perToken = _firstToken is { } first && longestChoiceTokens > 1 ? (total - first).TotalSeconds / (longestChoiceTokens - 1) : null;
        metrics.Completed(total.TotalSeconds, perToken, genAi);
        slo.ObserveFinished(tier, (_firstToken ?? total).TotalSeconds, perToken, target);
    }
}
