using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.Attention;

/// <summary>
/// e^x for floats exactly as glibc's <c>expf</c> (2.27 and later, the FMA variant x86-64 picks) computes it, which
/// is what <see cref="MathF.Exp"/> and ggml's flash attention call on Linux: x·32/ln 2 = k + r in double with one
/// fused multiply-add, 2^(k/32) from a 32-entry table, a cubic in r, one rounding to float. The algorithm and
/// constants are Arm's optimized-routines expf (MIT). Softmax needs one e^x per key and query head; computing 8 or
/// 16 of them in vectors instead of calling libm for each is most of what made attention faster, and the same bits
/// on every SIMD level and every platform follow from doing the same double arithmetic everywhere.
/// Inputs of magnitude 88 and above (and infinities, NaN) take glibc's special cases, one lane at a time.
/// </summary>
internal static class GlibcExp
{
    private static readonly double InverseLn2Scaled = BitConverter.UInt64BitsToDouble(0x4047_1547_652B_82FEUL); // 32/ln 2
    private static readonly double Shift = BitConverter.UInt64BitsToDouble(0x4338_0000_0000_0000UL); // 1.5·2^52
    private static readonly double Cubic = BitConverter.UInt64BitsToDouble(0x3EBC_6AF8_4B91_2394UL);
    private static readonly double Quadratic = BitConverter.UInt64BitsToDouble(0x3F2E_BFCE_50FA_C4F3UL);
    private static readonly double Linear = BitConverter.UInt64BitsToDouble(0x3F96_2E42_FF0C_52D6UL);
    private static readonly float OverflowBound = BitConverter.UInt32BitsToSingle(0x42B1_7217); // above: +∞
    private static readonly float UnderflowBound = BitConverter.UInt32BitsToSingle(0xC2CF_F1B4); // below: 0
    private static readonly float SubnormalBound = BitConverter.UInt32BitsToSingle(0xC2CE_8ECF); // below: the smallest subnormal
    private const uint SpecialTop = 0x42A; // the top 12 bits (sign dropped) of 88f: from here on the special cases apply

    /// <summary>2^(i/32) correctly rounded, minus i·2^47 so that adding k·2^47 puts k/32 into the exponent.</summary>
    private static ReadOnlySpan<ulong> Table =>
    [
        0x3FF0000000000000, 0x3FEFD9B0D3158574, 0x3FEFB5586CF9890F, 0x3FEF9301D0125B51,
        0x3FEF72B83C7D517B, 0x3FEF54873168B9AA, 0x3FEF387A6E756238, 0x3FEF1E9DF51FDEE1,
        0x3FEF06FE0A31B715, 0x3FEEF1A7373AA9CB, 0x3FEEDEA64C123422, 0x3FEECE086061892D,
        0x3FEEBFDAD5362A27, 0x3FEEB42B569D4F82, 0x3FEEAB07DD485429, 0x3FEEA47EB03A5585,
        0x3FEEA09E667F3BCD, 0x3FEE9F75E8EC5F74, 0x3FEEA11473EB0187, 0x3FEEA589994CCE13,
        0x3FEEACE5422AA0DB, 0x3FEEB737B0CDC5E5, 0x3FEEC49182A3F090, 0x3FEED503B23E255D,
        0x3FEEE89F995AD3AD, 0x3FEEFF76F2FB5E47, 0x3FEF199BDD85529C, 0x3FEF3720DCEF9069,
        0x3FEF5818DCFBA487, 0x3FEF7C97337B9B5F, 0x3FEFA4AFA2A490DA, 0x3FEFD0765B6E4540,
    ];

    public static float Exp(float x)
    {
        var bits = BitConverter.SingleToUInt32Bits(x);
        var top = (bits >> 20) & 0x7FF;
        if (top >= SpecialTop)
        {
            if (bits == 0xFF80_0000)
                return 0f;
            if (top >= 0x7F8)
                return x + x;
            if (x > OverflowBound)
                return float.PositiveInfinity;
            if (x < UnderflowBound)
                return 0f;
            if (x < SubnormalBound)
                return float.Epsilon;
        }
        double xd = x;
        var kd = Math.FusedMultiplyAdd(xd, InverseLn2Scaled, Shift);
        var ki = BitConverter.DoubleToUInt64Bits(kd);
        kd -= Shift;
        var r = Math.FusedMultiplyAdd(xd, InverseLn2Scaled, -kd);
        var scale = BitConverter.UInt64BitsToDouble(Table[(int)(ki & 31)] + (ki << 47));
        var high = Math.FusedMultiplyAdd(r, Cubic, Quadratic);
        var low = Math.FusedMultiplyAdd(r, Linear, 1.0);
        return (float)(Math.FusedMultiplyAdd(high, r * r, low) * scale);
    }

    /// <summary>Exp of 16 lanes (AVX-512): two halves of 8 doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var result = Vector512.Create(EightInDoubles(x.GetLower()), EightInDoubles(x.GetUpper()));
        var top = (x.AsUInt32() >> 20) & Vector512.Create(0x7FFu);
        var special = Vector512.GreaterThanOrEqual(top, Vector512.Create(SpecialTop));
        return special == Vector512<uint>.Zero ? result : WithSpecialLanes(x, result, special.ExtractMostSignificantBits());
    }

    /// <summary>Exp of 8 lanes (AVX2): two halves of 4 doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var result = Vector256.Create(FourInDoubles(x.GetLower()), FourInDoubles(x.GetUpper()));
        var top = (x.AsUInt32() >> 20) & Vector256.Create(0x7FFu);
        var special = Vector256.GreaterThanOrEqual(top, Vector256.Create(SpecialTop));
        return special == Vector256<uint>.Zero ? result : WithSpecialLanes(x, result, special.ExtractMostSignificantBits());
    }

    /// <summary>The main path for 8 floats in 8 double lanes; the table is looked up with two 16-entry permutes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> EightInDoubles(Vector256<float> x)
    {
        var xd = Avx512F.ConvertToVector512Double(x);
        var kd = Vector512.FusedMultiplyAdd(xd, Vector512.Create(InverseLn2Scaled), Vector512.Create(Shift));
        var ki = kd.AsUInt64();
        kd -= Vector512.Create(Shift);
        var r = Vector512.FusedMultiplyAdd(xd, Vector512.Create(InverseLn2Scaled), -kd);
        var table = Table;
        var firstHalf = Avx512F.PermuteVar8x64x2(Vector512.Create(table[..8]), ki, Vector512.Create(table[8..16]));
        var secondHalf = Avx512F.PermuteVar8x64x2(Vector512.Create(table[16..24]), ki, Vector512.Create(table[24..32]));
        var inSecondHalf = Vector512.Equals(ki & Vector512.Create(16UL), Vector512.Create(16UL));
        var scale = (Vector512.ConditionalSelect(inSecondHalf, secondHalf, firstHalf) + (ki << 47)).AsDouble();
        var high = Vector512.FusedMultiplyAdd(r, Vector512.Create(Cubic), Vector512.Create(Quadratic));
        var low = Vector512.FusedMultiplyAdd(r, Vector512.Create(Linear), Vector512<double>.One);
        return Avx512F.ConvertToVector256Single(Vector512.FusedMultiplyAdd(high, r * r, low) * scale);
    }

    /// <summary>The main path for 4 floats in 4 double lanes; the table is gathered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<float> FourInDoubles(Vector128<float> x)
    {
        var xd = Avx.ConvertToVector256Double(x);
        var kd = Vector256.FusedMultiplyAdd(xd, Vector256.Create(InverseLn2Scaled), Vector256.Create(Shift));
        var ki = kd.AsUInt64();
        kd -= Vector256.Create(Shift);
        var r = Vector256.FusedMultiplyAdd(xd, Vector256.Create(InverseLn2Scaled), -kd);
        Vector256<ulong> entries;
        fixed (ulong* table = Table)
            entries = Avx2.GatherVector256(table, (ki & Vector256.Create(31UL)).AsInt64(), 8);
        var scale = (entries + (ki << 47)).AsDouble();
        var high = Vector256.FusedMultiplyAdd(r, Vector256.Create(Cubic), Vector256.Create(Quadratic));
        var low = Vector256.FusedMultiplyAdd(r, Vector256.Create(Linear), Vector256<double>.One);
        return Avx.ConvertToVector128Single(Vector256.FusedMultiplyAdd(high, r * r, low) * scale);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> WithSpecialLanes(Vector512<float> x, Vector512<float> result, ulong lanes)
    {
        for (; lanes != 0; lanes &= lanes - 1)
        {
            var lane = BitOperations.TrailingZeroCount(lanes);
            result = result.WithElement(lane, Exp(x.GetElement(lane)));
        }
        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> WithSpecialLanes(Vector256<float> x, Vector256<float> result, uint lanes)
    {
        for (; lanes != 0; lanes &= lanes - 1)
        {
            var lane = BitOperations.TrailingZeroCount(lanes);
            result = result.WithElement(lane, Exp(x.GetElement(lane)));
        }
        return result;
    }
}
