namespace Strata.Simulation.Profiling;

/// <summary>
/// Fits the step cost law to measured steps by least squares on each step's relative error, so a 25 ms decode weighs
/// as much as a 400 ms prompt chunk (on seconds, the long chunks' noise decided the small terms). A term whose
/// coefficient comes out negative (a cost that cannot be, usually two correlated terms trading off) is dropped and the
/// rest refitted. Then steps the law misses by more than <see cref="OutlierFactor"/> times the median miss (a neighbour's
/// burst, a collection) are left out and the law fitted again: they are the machine's, not the shape's, and kept in they
/// moved a term by tens of percent between two profiles taken minutes apart.
/// </summary>
internal static class CostFit
{
    private const int Terms = 6;
    private const double OutlierFactor = 4;

    /// <returns>The cost law and its mean absolute error relative to each step's time.</returns>
    public static (CostModel Cost, double MeanRelativeError) Fit(IReadOnlyList<StepSample> samples, double blockLoadSeconds)
    {
        if (samples.Count < Terms * 2)
            throw new ArgumentException($"{samples.Count} steps are too few to fit {Terms} cost terms");
        var beta = FitDroppingNegative(samples);
        var misses = samples.Select(s => RelativeMiss(beta, s)).Order().ToArray();
        var bound = OutlierFactor * misses[misses.Length / 2];
        var kept = samples.Where(s => RelativeMiss(beta, s) <= bound).ToList();
        if (kept.Count >= Terms * 2 && kept.Count < samples.Count)
            beta = FitDroppingNegative(kept);
        var error = samples.Average(s => RelativeMiss(beta, s));
        return (new CostModel(beta[0], beta[1], beta[2], beta[3], blockLoadSeconds, beta[4], beta[5]), error);
    }

    private static double[] FitDroppingNegative(IReadOnlyList<StepSample> samples)
    {
        var active = new bool[Terms];
        Array.Fill(active, true);
        while (true)
        {
            var beta = Solve(samples, active);
            var negative = Array.FindIndex(beta, b => b < 0);
            if (negative < 0)
                return beta;
            active[negative] = false;
        }
    }

    private static double RelativeMiss(double[] beta, StepSample s) => Math.Abs(Predict(beta, s) - s.Seconds) / s.Seconds;

    private static double Predict(double[] beta, StepSample s)
    {
        var x = Features(s);
        var seconds = 0.0;
        for (var t = 0; t < Terms; t++)
            seconds += beta[t] * x[t];
        return seconds;
    }

    private static double[] Features(StepSample s) => [1, s.PrefillTokens, s.DecodeSequences, s.ContextTokens, s.PrefillAttention, CostModel.LoneRows(s.PrefillTokens, s.DecodeSequences)];

    /// <summary>Least squares of the relative error over the active terms by the normal equations (each step weighted by its time's inverse square, terms scaled to unit size first); inactive terms are 0.</summary>
    private static double[] Solve(IReadOnlyList<StepSample> samples, bool[] active)
    {
        var index = Enumerable.Range(0, Terms).Where(t => active[t]).ToArray();
        var n = index.Length;
        var scale = new double[Terms];
        foreach (var s in samples)
        {
            var x = Features(s);
            for (var t = 0; t < Terms; t++)
                scale[t] = Math.Max(scale[t], Math.Abs(x[t]));
        }
        var a = new double[n, n + 1];
        foreach (var s in samples)
        {
            var x = Features(s);
            var weight = 1 / (s.Seconds * s.Seconds);
            for (var i = 0; i < n; i++)
            {
                var xi = weight * x[index[i]] / Scale(scale, index[i]);
                for (var j = 0; j < n; j++)
                    a[i, j] += xi * x[index[j]] / Scale(scale, index[j]);
                a[i, n] += xi * s.Seconds;
            }
        }
        var solution = GaussianElimination(a, n);
        var beta = new double[Terms];
        for (var i = 0; i < n; i++)
            beta[index[i]] = solution[i] / Scale(scale, index[i]);
        return beta;
    }

    private static double Scale(double[] scale, int term) => scale[term] > 0 ? scale[term] : 1;

    /// <summary>Solves the augmented system with partial pivoting; a term with no information (a zero pivot) gets 0.</summary>
    private static double[] GaussianElimination(double[,] a, int n)
    {
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                    pivot = row;
            }
            for (var k = 0; k <= n; k++)
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            if (Math.Abs(a[col, col]) < 1e-12)
                continue;
            for (var row = 0; row < n; row++)
            {
                if (row == col)
                    continue;
                var f = a[row, col] / a[col, col];
                for (var k = col; k <= n; k++)
                    a[row, k] -= f * a[col, k];
            }
        }
        var x = new double[n];
        for (var i = 0; i < n; i++)
            x[i] = Math.Abs(a[i, i]) < 1e-12 ? 0 : a[i, n] / a[i, i];
        return x;
    }
}
