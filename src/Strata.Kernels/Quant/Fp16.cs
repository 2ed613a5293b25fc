using System.Buffers.Binary;

namespace Strata.Kernels.Quant;

/// <summary>
/// IEEE binary16 ("half") conversions with ggml's scalar semantics: float to half rounds to nearest even and
/// overflows to infinity; any NaN becomes the quiet NaN 0x7E00 with its sign. Half to float is exact, and a
/// signalling NaN comes back quiet (as the x86 arithmetic in ggml's conversion makes it).
/// </summary>
public static class Fp16
{
    /// <summary>Widens the half with bit pattern <paramref name="bits"/> to a float.</summary>
    public static float ToSingle(ushort bits)
    {
        var sign = (uint)(bits & 0x8000) << 16;
        var exponent = (bits >> 10) & 0x1F;
        var mantissa = (uint)(bits & 0x3FF);
        if (exponent == 0x1F)
        {
            var quietBit = mantissa != 0 ? 0x0040_0000u : 0u;
            return BitConverter.UInt32BitsToSingle(sign | 0x7F80_0000u | (mantissa << 13) | quietBit);
        }
        if (exponent == 0)
        {
            // Zero or subnormal: mantissa * 2^-24, which binary32 holds exactly.
            var magnitude = mantissa * (1f / 16_777_216f);
            return BitConverter.UInt32BitsToSingle(sign | BitConverter.SingleToUInt32Bits(magnitude));
        }
        return BitConverter.UInt32BitsToSingle(sign | ((uint)(exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    /// <summary>Narrows a float to the bit pattern of the nearest half (ties to even).</summary>
    public static ushort FromSingle(float value)
    {
        if (float.IsNaN(value))
            return (ushort)((BitConverter.SingleToUInt32Bits(value) >> 16 & 0x8000) | 0x7E00);
        // .NET's float-to-Half cast is IEEE round-to-nearest-even; NaN is the only case where ggml differs.
        return BitConverter.HalfToUInt16Bits((Half)value);
    }

    internal static float Read(ReadOnlySpan<byte> source) => ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source));

    internal static void Write(Span<byte> destination, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(destination, FromSingle(value));
}
