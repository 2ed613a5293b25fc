using System.Runtime.Intrinsics;

namespace Strata.Kernels.Ops;

/// <summary>
/// Rounds floats to the nearest IEEE half-precision value (ties to even) and back, without F16C instructions:
/// what storing to and reloading from an F16 buffer does. Values beyond the half range are not clamped to ∞.
/// </summary>
public static class HalfRounding
{
    private const float SmallestNormal = 6.10351562e-05f; // 2^-14
    private const float SubnormalSteps = 16777216f; // 2^24: half subnormals are multiples of 2^-24

    public static float Round(float x) => (float)(Half)x;

    /// <summary>Rounds every element of <paramref name="values"/> in place.</summary>
    public static void Round(Span<float> values)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
                Round(Vector512.Create<float>(values.Slice(i, Vector512<float>.Count))).CopyTo(values.Slice(i, Vector512<float>.Count));
        }
        for (; i < values.Length; i++)
            values[i] = Round(values[i]);
    }

    /// <summary>Rounds 16 lanes at once.</summary>
    public static Vector512<float> Round(Vector512<float> x)
    {
        // Normal halves: drop the 13 low mantissa bits of the float with round-to-nearest-even on the integer bits.
        var bits = x.AsUInt32();
        var lsb = (bits >> 13) & Vector512<uint>.One;
        var normal = ((bits + Vector512.Create(0xFFFu) + lsb) & Vector512.Create(0xFFFFE000u)).AsSingle();
        // Subnormal halves are a fixed grid of 2^-24: scale, round to an integer (ties to even), scale back.
        var subnormal = Vector512.Round(x * SubnormalSteps) / SubnormalSteps;
        var isSmall = Vector512.LessThan(Vector512.Abs(x), Vector512.Create(SmallestNormal));
        return Vector512.ConditionalSelect(isSmall, subnormal, normal);
    }
}
