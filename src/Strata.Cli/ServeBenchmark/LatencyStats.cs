namespace Strata.Cli.ServeBenchmark;

/// <summary>Mean and percentiles of one latency metric, in milliseconds; all zero when there were no samples.</summary>
internal sealed record LatencyStats(double Mean, double P50, double P90, double P99)
{
    public static LatencyStats Of(IEnumerable<TimeSpan> samples) => OfMilliseconds(samples.Select(s => s.TotalMilliseconds).ToArray());

    /// <summary>The statistics of <paramref name="ms"/>, which it reorders.</summary>
    public static LatencyStats OfMilliseconds(double[] ms)
    {
        if (ms.Length == 0)
            return new LatencyStats(0, 0, 0, 0);
        // The mean first, over the samples in their given order (a sum's rounding depends on it), then the percentiles reorder them.
        var mean = ms.Average();
        var percentiles = Percentile.Of(ms, 50, 90, 99);
        return new LatencyStats(mean, percentiles[0], percentiles[1], percentiles[2]);
    }
}
