using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

public sealed class Fp16Tests
{
    [Fact]
    public void ToSingle_EveryHalf_MatchesGgmlBitExactly()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var actual = BitConverter.SingleToUInt32Bits(Fp16.ToSingle((ushort)bits));
            var expected = BitConverter.SingleToUInt32Bits(GgmlHalfToFloat((ushort)bits));
            Assert.True(expected == actual, $"half 0x{bits:X4}: expected 0x{expected:X8}, got 0x{actual:X8}");
        }
    }

    [Fact]
    public void ToSingle_EveryNonNaNHalf_EqualsDotNetHalfWidening()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var half = BitConverter.UInt16BitsToHalf((ushort)bits);
            if (Half.IsNaN(half))
                continue;
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)half), BitConverter.SingleToUInt32Bits(Fp16.ToSingle((ushort)bits)));
        }
    }

    [Fact]
    public void FromSingle_EveryHalfAndEveryRoundingBoundary_MatchesGgmlBitExactly()
    {
        // For each half: the value itself, and the midpoint to the next half up with its two float neighbours:
        // the only inputs where round-to-nearest-even can go wrong.
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = Fp16.ToSingle((ushort)bits);
            if (float.IsNaN(value))
                continue;
            AssertSameAsGgml(value);
            if (float.IsInfinity(value))
                continue;
            var next = (bits & 0x7FFF) == 0x7BFF ? 65520.0 * Math.Sign(value) // halfway to infinity (65504 + half an ulp)
                : Fp16.ToSingle((ushort)(bits + 1));
            var midpoint = (float)((value + next) / 2);
            AssertSameAsGgml(midpoint);
            AssertSameAsGgml(MathF.BitDecrement(midpoint));
            AssertSameAsGgml(MathF.BitIncrement(midpoint));
        }
    }

    [Fact]
    public void FromSingle_RandomFloatBitPatterns_MatchGgmlBitExactly()
    {
        var random = new Random(1);
        for (var i = 0; i < 1_000_000; i++)
            AssertSameAsGgml(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32)));
    }

    [Fact]
    public void FromSingle_NaNAndInfinities_GiveQuietNaNAndInfinities()
    {
        Assert.Equal(0x7E00, Fp16.FromSingle(float.NaN) & 0x7FFF);
        Assert.Equal(0xFE00, Fp16.FromSingle(BitConverter.UInt32BitsToSingle(0xFF80_0001)));
        Assert.Equal(0x7C00, Fp16.FromSingle(float.PositiveInfinity));
        Assert.Equal(0xFC00, Fp16.FromSingle(float.NegativeInfinity));
        Assert.Equal(0x7C00, Fp16.FromSingle(1e6f));
    }

    private static void AssertSameAsGgml(float value)
    {
        var expected = GgmlFloatToHalf(value);
        var actual = Fp16.FromSingle(value);
        Assert.True(expected == actual, $"float 0x{BitConverter.SingleToUInt32Bits(value):X8} ({value:R}): expected 0x{expected:X4}, got 0x{actual:X4}");
    }

    // ggml_compute_fp16_to_fp32 (ggml-impl.h), its bit tricks transcribed as an independent oracle.
    private static float GgmlHalfToFloat(ushort h)
    {
        var w = (uint)h << 16;
        var sign = w & 0x8000_0000u;
        var twoW = w + w;
        const uint exponentOffset = 0xE0u << 23;
        var normalized = BitConverter.UInt32BitsToSingle((twoW >> 4) + exponentOffset) * BitConverter.UInt32BitsToSingle(0x0780_0000);
        const uint magicMask = 126u << 23;
        var denormalized = BitConverter.UInt32BitsToSingle((twoW >> 17) | magicMask) - 0.5f;
        const uint denormalizedCutoff = 1u << 27;
        var result = sign | (twoW < denormalizedCutoff ? BitConverter.SingleToUInt32Bits(denormalized) : BitConverter.SingleToUInt32Bits(normalized));
        return BitConverter.UInt32BitsToSingle(result);
    }

    // ggml_compute_fp32_to_fp16 (ggml-impl.h), transcribed.
    private static ushort GgmlFloatToHalf(float f)
    {
        var scaleToInf = BitConverter.UInt32BitsToSingle(0x7780_0000);
        var scaleToZero = BitConverter.UInt32BitsToSingle(0x0880_0000);
        var baseValue = MathF.Abs(f) * scaleToInf * scaleToZero;
        var w = BitConverter.SingleToUInt32Bits(f);
        var shl1W = w + w;
        var sign = w & 0x8000_0000u;
        var bias = shl1W & 0xFF00_0000u;
        if (bias < 0x7100_0000u)
            bias = 0x7100_0000u;
        baseValue = BitConverter.UInt32BitsToSingle((bias >> 1) + 0x0780_0000u) + baseValue;
        var bits = BitConverter.SingleToUInt32Bits(baseValue);
        var exponentBits = (bits >> 13) & 0x7C00u;
        var mantissaBits = bits & 0x0FFFu;
        var nonSign = exponentBits + mantissaBits;
        return (ushort)((sign >> 16) | (shl1W > 0xFF00_0000u ? 0x7E00u : nonSign));
    }
}
