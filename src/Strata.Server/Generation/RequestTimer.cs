using System.Diagnostics;
using Strata.Server.Metrics;

namespace Strata.Server.Generation;

/// <summary>Measures one request's time to first token, time per output token and end-to-end latency.</summary>
internal sealed class RequestTimer(ServerMetrics metrics)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private TimeSpan? _firstToken;

    /// <summary>Time from submission to the first token, once there was one.</summary>
    public TimeSpan? FirstToken => _firstToken;

    public void OnToken() => _firstToken ??= Observe(metrics.TimeToFirstToken);

    /// <summary>Records the latencies of a request that ran to its end (not one cancelled or failed).</summary>
    public void OnCompleted(int longestChoiceTokens)
    {
        var total = Observe(metrics.EndToEndLatency);
        if (_firstToken is { } first && longestChoiceTokens > 1)
            metrics.TimePerOutputToken.Observe((total - first).TotalSeconds / (longestChoiceTokens - 1));
    }

    private TimeSpan Observe(Histogram histogram)
    {
        var elapsed = Stopwatch.GetElapsedTime(_start);
        histogram.Observe(elapsed.TotalSeconds);
        return elapsed;
    }
}
