namespace Strata.Kernels.Quant;

/// <summary>
/// The symmetric fits of the K-quants, x ≈ scale * l with signed integer l in [-levels, levels - 1], weighting each
/// element by x² (big values matter most). Float operations are in ggml's order so the levels come out identical.
/// </summary>
internal static class SymmetricFit
{
    /// <summary>Below this block amax ggml treats a group as all zero.</summary>
    public const float ZeroGroupMax = 1e-15f;

    /// <summary>
    /// ggml's <c>make_qx_quants</c> with rmse_type 1 and no importance weights (Q6_K): the value of largest magnitude
    /// maps to -levels, then 18 nudged grids are tried and the least-squares-best kept. Writes l + levels (0 .. 2 levels - 1)
    /// into <paramref name="biasedLevels"/> and returns the scale.
    /// </summary>
    public static float SearchGrid(ReadOnlySpan<float> x, int levels, Span<sbyte> biasedLevels)
    {
        var max = SignedMax(x, out var amax);
        if (amax < ZeroGroupMax)
        {
            biasedLevels[..x.Length].Clear();
            return 0;
        }

        var iscale = -levels / max;
        var (sumLX, sumL2) = WeightedSums(x, iscale, levels);
        for (var i = 0; i < x.Length; i++)
            biasedLevels[i] = (sbyte)(Level(iscale * x[i], levels) + levels);
        var scale = sumL2 != 0 ? sumLX / sumL2 : 0f;
        var best = scale * sumLX;

        for (var nudge = -9; nudge <= 9; nudge++)
        {
            if (nudge == 0)
                continue;
            iscale = -(levels + 0.1f * nudge) / max;
            (sumLX, sumL2) = WeightedSums(x, iscale, levels);
            // Compare sumLX² / sumL2 (the error reduction of the least-squares scale) without dividing.
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2)
            {
                for (var i = 0; i < x.Length; i++)
                    biasedLevels[i] = (sbyte)(Level(iscale * x[i], levels) + levels);
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    /// <summary>
    /// ggml's <c>make_q3_quants</c> with do_rmse (Q3_K): starts from the grid where the value of largest magnitude maps
    /// to -levels, then moves single levels while that improves the least-squares fit (up to five passes). Writes
    /// l + levels into <paramref name="biasedLevels"/> and returns the least-squares scale.
    /// </summary>
    public static float RefineLevels(ReadOnlySpan<float> x, int levels, Span<sbyte> biasedLevels)
    {
        var max = SignedMax(x, out var amax);
        if (amax < ZeroGroupMax)
        {
            biasedLevels[..x.Length].Clear();
            return 0;
        }

        var iscale = -levels / max;
        float sumLX = 0, sumL2 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var l = Level(iscale * x[i], levels);
            biasedLevels[i] = (sbyte)l;
            var w = x[i] * x[i];
            sumLX += w * x[i] * l;
            sumL2 += w * l * l;
        }
        for (var pass = 0; pass < 5; pass++)
        {
            var changed = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var w = x[i] * x[i];
                int current = biasedLevels[i];
                var otherLX = sumLX - w * x[i] * current;
                if (otherLX <= 0)
                    continue;
                var otherL2 = sumL2 - w * current * current;
                var candidate = Level(x[i] * otherL2 / otherLX, levels);
                if (candidate == current)
                    continue;
                var newLX = otherLX + w * x[i] * candidate;
                var newL2 = otherL2 + w * candidate * candidate;
                // Keep the move if it raises sumLX² / sumL2 (compared without dividing).
                if (newL2 > 0 && newLX * newLX * sumL2 > sumLX * sumLX * newL2)
                {
                    biasedLevels[i] = (sbyte)candidate;
                    sumLX = newLX;
                    sumL2 = newL2;
                    changed++;
                }
            }
            if (changed == 0)
                break;
        }
        for (var i = 0; i < x.Length; i++)
            biasedLevels[i] += (sbyte)levels;
        return sumL2 > 0 ? sumLX / sumL2 : 0f;
    }

    /// <summary>The signed value of largest magnitude (the first one on ties).</summary>
    private static float SignedMax(ReadOnlySpan<float> x, out float amax)
    {
        amax = 0f;
        var max = 0f;
        foreach (var v in x)
        {
            if (MathF.Abs(v) > amax)
            {
                amax = MathF.Abs(v);
                max = v;
            }
        }
        return max;
    }

    private static int Level(float scaled, int levels) => Math.Clamp(Rounding.NearestEven(scaled), -levels, levels - 1);

    private static (float SumLX, float SumL2) WeightedSums(ReadOnlySpan<float> x, float iscale, int levels)
    {
        float sumLX = 0, sumL2 = 0;
        foreach (var v in x)
        {
            var l = Level(iscale * v, levels);
            var w = v * v;
            sumLX += w * v * l;
            sumL2 += w * l * l;
        }
        return (sumLX, sumL2);
    }
}
