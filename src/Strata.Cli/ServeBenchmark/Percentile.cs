namespace Strata.Cli.ServeBenchmark;

/// <summary>Percentiles with linear interpolation between closest ranks, numpy's default, so results match vLLM's.</summary>
internal static class Percentile
{
    /// <param name="sorted">The samples in ascending order; at least one.</param>
    /// <param name="percent">0 to 100.</param>
    public static double Of(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.IsEmpty)
            throw new ArgumentException("no samples", nameof(sorted));
        if (percent is < 0 or > 100 || double.IsNaN(percent))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile is between 0 and 100");
        var rank = percent / 100 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
