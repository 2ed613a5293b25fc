using System.Diagnostics;
using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Server.Metrics;

namespace Strata.Server.Generation;

/// <summary>
/// Measures one request's time to first token, time per output token and end-to-end latency, overall and for its
/// service tier, with whether it met the tier's targets and how far the predicted time to first token was off.
/// </summary>
internal sealed class RequestTimer(ServerMetrics metrics, ServiceTier tier, SloTarget target)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private TimeSpan? _firstToken;

    /// <summary>The time to first token predicted at submission (null when none was made).</summary>
    public TimeSpan? Predicted { get; set; }

    public void OnToken()
    {
        if (_firstToken is not null)
            return;
        _firstToken = Observe(metrics.TimeToFirstToken);
        metrics.Slo.ObserveFirstToken(tier, _firstToken.Value.TotalSeconds, Predicted);
    }

    /// <summary>Records the latencies of a request that ran to its end (not one cancelled or failed).</summary>
    public void OnCompleted(int longestChoiceTokens)
    {
        var total = Observe(metrics.EndToEndLatency);
        double? tpot = null;
        if (_firstToken is { } first && longestChoiceTokens > 1)
        {
            tpot = (total - first).TotalSeconds / (longestChoiceTokens - 1);
            metrics.TimePerOutputToken.Observe(tpot.Value);
        }
        metrics.Slo.ObserveFinished(tier, (_firstToken ?? total).TotalSeconds, tpot, target);
    }

    private TimeSpan Observe(Histogram histogram)
    {
        var elapsed = Stopwatch.GetElapsedTime(_start);
        histogram.Observe(elapsed.TotalSeconds);
        return elapsed;
    }
}
