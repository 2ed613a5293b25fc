namespace Strata.Cli.ServeBenchmark;

/// <summary>Percentiles with linear interpolation between closest ranks, numpy's default, so results match vLLM's.</summary>
internal static class Percentile
{
    /// <summary>
    /// Finds the two closest ranks by selection, in linear time, rather than sorting: a simulated hour has ~90 million
    /// inter-token gaps, which took seconds to sort. Reorders <paramref name="samples"/>.
    /// </summary>
    /// <param name="samples">The samples, in any order; at least one.</param>
    /// <param name="percent">0 to 100.</param>
    public static double Of(Span<double> samples, double percent) => Of(samples, [percent])[0];

    /// <summary>
    /// Several percentiles of the same samples: each is selected within the part above the one before it (the p90 of
    /// an hour's gaps among the upper half that finding the p50 left), so the later ones search ever fewer samples.
    /// Reorders <paramref name="samples"/>.
    /// </summary>
    /// <param name="samples">The samples, in any order; at least one.</param>
    /// <param name="percents">0 to 100, in ascending order.</param>
    public static double[] Of(Span<double> samples, params ReadOnlySpan<double> percents)
    {
        if (samples.IsEmpty)
            throw new ArgumentException("no samples", nameof(samples));
        var values = new double[percents.Length];
        // Every sample before `settled` is at most every sample from it on, so ranks past it can be selected in that tail.
        var settled = 0;
        for (var p = 0; p < percents.Length; p++)
        {
            var percent = percents[p];
            if (percent is < 0 or > 100 || double.IsNaN(percent))
                throw new ArgumentOutOfRangeException(nameof(percents), percent, "a percentile is between 0 and 100");
            if (p > 0 && percent < percents[p - 1])
                throw new ArgumentException("percentiles must come in ascending order", nameof(percents));
            var rank = percent / 100 * (samples.Length - 1);
            var below = (int)Math.Floor(rank);
            var low = Select(samples[settled..], below - settled);
            var high = below + 1 < samples.Length ? Min(samples[(below + 1)..]) : low;
            values[p] = low + (rank - below) * (high - low);
            settled = below;
        }
        return values;
    }

    /// <summary>
    /// Quickselect (Hoare partitions, median-of-three pivots): afterwards the sample at <paramref name="k"/> is the k-th
    /// smallest, none before it larger and none after it smaller.
    /// </summary>
    private static double Select(Span<double> samples, int k)
    {
        int left = 0, right = samples.Length - 1;
        while (left < right)
        {
            var pivot = MedianOfThree(samples[left], samples[left + (right - left) / 2], samples[right]);
            int i = left, j = right;
            while (i <= j)
            {
                while (samples[i] < pivot)
                    i++;
                while (samples[j] > pivot)
                    j--;
                if (i <= j)
                {
                    (samples[i], samples[j]) = (samples[j], samples[i]);
                    i++;
                    j--;
                }
            }
            // [left, j] ≤ pivot ≤ [i, right], and every sample strictly between j and i equals the pivot.
            if (k <= j)
                right = j;
            else if (k >= i)
                left = i;
            else
                break;
        }
        return samples[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

    private static double Min(ReadOnlySpan<double> samples)
    {
        var min = samples[0];
        foreach (var sample in samples)
            min = Math.Min(min, sample);
        return min;
    }
}
