using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Ops;

/// <summary>
/// Rounds floats to the nearest IEEE half-precision value (ties to even) and back, without F16C instructions: what
/// storing to and reloading from an F16 buffer does. Adding and subtracting c = ±2^(e+13), where 2^e is the value's
/// binade (at least 2^-14, the smallest normal half), makes the float adder round at the half's last mantissa bit.
/// Valid below 2^115; values beyond the half range are not clamped to ∞, and −0 comes back as +0.
/// </summary>
public static class HalfRounding
{
    private const uint ExponentMask = 0x7F80_0000;
    private const uint SignMask = 0x8000_0000;
    private const uint SmallestNormalExponent = 113u << 23; // 2^-14
    private const uint MantissaBitsDropped = 13u << 23;

    public static float Round(float x)
    {
        var bits = BitConverter.SingleToUInt32Bits(x);
        var c = BitConverter.UInt32BitsToSingle((Math.Max(bits & ExponentMask, SmallestNormalExponent) + MantissaBitsDropped) | (bits & SignMask));
        return x + c - c;
    }

    /// <summary>Rounds every element of <paramref name="values"/> in place.</summary>
    public static void Round(Span<float> values, SimdLevel level)
    {
        var i = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
                Round(Vector512.Create<float>(values.Slice(i, Vector512<float>.Count))).CopyTo(values.Slice(i, Vector512<float>.Count));
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
                Round(Vector256.Create<float>(values.Slice(i, Vector256<float>.Count))).CopyTo(values.Slice(i, Vector256<float>.Count));
        }
        for (; i < values.Length; i++)
            values[i] = Round(values[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> x)
    {
        var bits = x.AsUInt32();
        var exponent = Vector512.Max(bits & Vector512.Create(ExponentMask), Vector512.Create(SmallestNormalExponent));
        var c = ((exponent + Vector512.Create(MantissaBitsDropped)) | (bits & Vector512.Create(SignMask))).AsSingle();
        return x + c - c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> x)
    {
        var bits = x.AsUInt32();
        var exponent = Vector256.Max(bits & Vector256.Create(ExponentMask), Vector256.Create(SmallestNormalExponent));
        var c = ((exponent + Vector256.Create(MantissaBitsDropped)) | (bits & Vector256.Create(SignMask))).AsSingle();
        return x + c - c;
    }
}
