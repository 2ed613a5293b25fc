using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

public sealed class Bf16Tests
{
    [Fact]
    public void ToSingle_EveryBf16_IsTheTopHalfOfTheFloat()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
            Assert.Equal((uint)bits << 16, BitConverter.SingleToUInt32Bits(Bf16.ToSingle((ushort)bits)));
    }

    [Fact]
    public void FromSingle_RandomAndTieValues_RoundToNearestEven()
    {
        var random = new Random(2);
        for (var i = 0; i < 1_000_000; i++)
        {
            var bits = (uint)random.NextInt64(0, 1L << 32);
            AssertRoundsToNearestEven(BitConverter.UInt32BitsToSingle(bits));
            // Exact ties, odd and even kept halves.
            AssertRoundsToNearestEven(BitConverter.UInt32BitsToSingle((bits & 0xFFFF_0000u) | 0x8000u));
        }
    }

    [Fact]
    public void FromSingle_KnownValues_RoundAsGgml()
    {
        Assert.Equal(0x3F80, Bf16.FromSingle(1f));
        Assert.Equal(0x3F80, Bf16.FromSingle(BitConverter.UInt32BitsToSingle(0x3F80_8000))); // tie, even stays
        Assert.Equal(0x3F82, Bf16.FromSingle(BitConverter.UInt32BitsToSingle(0x3F81_8000))); // tie, odd rounds up
        Assert.Equal(0x7F80, Bf16.FromSingle(float.MaxValue)); // rounds up to infinity
        Assert.Equal(0x7FC1, Bf16.FromSingle(BitConverter.UInt32BitsToSingle(0x7F81_0000))); // signalling NaN made quiet
        Assert.Equal(0xFFC0, Bf16.FromSingle(BitConverter.UInt32BitsToSingle(0xFFC0_0001)));
    }

    private static void AssertRoundsToNearestEven(float value)
    {
        if (float.IsNaN(value))
        {
            Assert.True(float.IsNaN(Bf16.ToSingle(Bf16.FromSingle(value))));
            return;
        }
        // Oracle: the bf16 below in magnitude (truncation) and the one above, compared in double.
        var truncated = (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16);
        if (float.IsInfinity(value))
        {
            Assert.Equal(truncated, Bf16.FromSingle(value));
            return;
        }
        var up = (ushort)(truncated + 1);
        var distanceBelow = Math.Abs(value - MagnitudeOf(truncated));
        var distanceAbove = Math.Abs(MagnitudeOf(up) - value);
        var expected = distanceBelow < distanceAbove || (distanceBelow == distanceAbove && (truncated & 1) == 0) ? truncated : up;
        Assert.True(expected == Bf16.FromSingle(value), $"float 0x{BitConverter.SingleToUInt32Bits(value):X8}: expected 0x{expected:X4}, got 0x{Bf16.FromSingle(value):X4}");
    }

    // Infinity counts as 2^128, the value the exponent would have next, so that rounding overflows exactly as IEEE says.
    private static double MagnitudeOf(ushort bf16)
    {
        var value = (double)Bf16.ToSingle(bf16);
        return double.IsInfinity(value) ? Math.CopySign(Math.Pow(2, 128), value) : value;
    }
}
