namespace Strata.Kernels.Quant;

/// <summary>
/// ggml's <c>make_qkx2_quants</c>: fits x ≈ scale * L - offset with integer levels L in [0, maxLevel] and offset ≥ 0
/// (the "min" of Q2_K, Q4_K, Q5_K), minimising the weighted error. It tries the plain min/max grid, then nudged grids,
/// each refined by weighted least squares, and keeps the best. Float operations are in ggml's order so the levels
/// come out identical.
/// </summary>
internal static class AffineFit
{
    /// <summary>
    /// x, weights, levels and scratch are all n long. Returns the scale and sets <paramref name="offset"/>;
    /// <paramref name="absoluteError"/> chooses between weighted |error| and weighted error².
    /// </summary>
    public static float Fit(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, int maxLevel, Span<byte> levels, Span<byte> scratch,
        float firstNudge, float nudgeStep, int nudges, bool absoluteError, out float offset)
    {
        var n = x.Length;
        var min = x[0];
        var max = x[0];
        var sumW = weights[0];
        var sumX = sumW * x[0];
        for (var i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            sumW += weights[i];
            sumX += weights[i] * x[i];
        }
        if (min > 0)
            min = 0;
        if (max == min)
        {
            levels[..n].Clear();
            offset = -min;
            return 0;
        }

        var iscale = maxLevel / (max - min);
        var scale = 1 / iscale;
        var bestError = 0f;
        for (var i = 0; i < n; i++)
        {
            levels[i] = (byte)Math.Clamp(Rounding.NearestEven(iscale * (x[i] - min)), 0, maxLevel);
            bestError += weights[i] * ErrorOf(scale * levels[i] + min - x[i], absoluteError);
        }

        for (var step = 0; step <= nudges; step++)
        {
            iscale = (firstNudge + nudgeStep * step + maxLevel) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (var i = 0; i < n; i++)
            {
                var l = Math.Clamp(Rounding.NearestEven(iscale * (x[i] - min)), 0, maxLevel);
                scratch[i] = (byte)l;
                var w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            // Weighted least squares for x ≈ scale * l + min over these levels.
            var determinant = sumW * sumL2 - sumL * sumL;
            if (determinant > 0)
            {
                var thisScale = (sumW * sumXL - sumX * sumL) / determinant;
                var thisMin = (sumL2 * sumX - sumL * sumXL) / determinant;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                var error = 0f;
                for (var i = 0; i < n; i++)
                    error += weights[i] * ErrorOf(thisScale * scratch[i] + thisMin - x[i], absoluteError);
                if (error < bestError)
                {
                    scratch[..n].CopyTo(levels);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        offset = -min;
        return scale;
    }

    private static float ErrorOf(float difference, bool absoluteError) =>
        absoluteError ? MathF.Abs(difference) : difference * difference;
}
