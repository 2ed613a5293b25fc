using System.Buffers.Binary;

namespace Strata.Kernels.Quant;

/// <summary>
/// bfloat16 conversions with ggml's semantics: a bf16 is the top half of a float; float to bf16 rounds to
/// nearest even, and a NaN keeps its top bits but is forced quiet.
/// </summary>
public static class Bf16
{
    /// <summary>Widens the bf16 with bit pattern <paramref name="bits"/> to a float (exact).</summary>
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Narrows a float to the bit pattern of the nearest bf16 (ties to even).</summary>
    public static ushort FromSingle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x40);
        // Adding 0x7FFF plus the lowest kept bit carries into the kept half exactly when the dropped half is
        // above one half, or exactly one half with an odd kept half: round to nearest even.
        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    internal static float Read(ReadOnlySpan<byte> source) => ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source));

    internal static void Write(Span<byte> destination, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(destination, FromSingle(value));
}
