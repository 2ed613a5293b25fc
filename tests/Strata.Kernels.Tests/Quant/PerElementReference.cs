using System.Buffers.Binary;
using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// Dequantization written element by element from the format description: for element i, find its bits wherever
/// they live and apply the formula. Shares no code with the library's block loops (only the fp16 decoding), and
/// keeps ggml's float operation order so the results must be bit-identical.
/// </summary>
internal static class PerElementReference
{
    public static float Element(TensorType type, ReadOnlySpan<byte> block, int i) => type switch
    {
        TensorType.Q4_0 => (Nibble(block[2..], i) - 8) * Half(block, 0),
        TensorType.Q4_1 => Nibble(block[4..], i) * Half(block, 0) + Half(block, 2),
        TensorType.Q5_0 => (Nibble(block[6..], i) + 16 * Bit(block[2..], i) - 16) * Half(block, 0),
        TensorType.Q5_1 => (Nibble(block[8..], i) + 16 * Bit(block[4..], i)) * Half(block, 0) + Half(block, 2),
        TensorType.Q8_0 => (sbyte)block[2 + i] * Half(block, 0),
        TensorType.Q8_1 => (sbyte)block[4 + i] * Half(block, 0),
        TensorType.Q8_K => BinaryPrimitives.ReadSingleLittleEndian(block) * (sbyte)block[4 + i],
        TensorType.Q2_K => Q2K(block, i),
        TensorType.Q3_K => Q3K(block, i),
        TensorType.Q4_K => Q4K(block, i),
        TensorType.Q5_K => Q5K(block, i),
        TensorType.Q6_K => Q6K(block, i),
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>Legacy 32-element blocks: element i is in byte i % 16, low nibble for the first half.</summary>
    private static int Nibble(ReadOnlySpan<byte> quants, int i) => i < 16 ? quants[i] & 0xF : quants[i - 16] >> 4;

    private static int Bit(ReadOnlySpan<byte> bits, int i) => (bits[i / 8] >> (i % 8)) & 1;

    private static float Half(ReadOnlySpan<byte> block, int offset) =>
        (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(block[offset..]));

    /// <summary>
    /// The 2-bit field shared by Q2_K and Q3_K: each 128-element half uses 32 bytes, element i sitting in byte i % 32 of
    /// its half at bit position 2 * ((i / 32) % 4).
    /// </summary>
    private static int Crumb(ReadOnlySpan<byte> quants, int i) => (quants[32 * (i / 128) + i % 32] >> (2 * (i / 32 % 4))) & 3;

    private static float Q2K(ReadOnlySpan<byte> block, int i)
    {
        int scaleAndMin = block[i / 16];
        var d = Half(block, 80);
        var dmin = Half(block, 82);
        return d * (scaleAndMin & 0xF) * Crumb(block[16..], i) - dmin * (scaleAndMin >> 4);
    }

    private static float Q3K(ReadOnlySpan<byte> block, int i)
    {
        var hmask = block[..32];
        var quants = block.Slice(32, 64);
        var packedScales = block.Slice(96, 12);
        var group = i / 16;
        var low4 = group < 8 ? packedScales[group] & 0xF : packedScales[group - 8] >> 4;
        var high2 = (packedScales[8 + group % 4] >> (2 * (group / 4))) & 3;
        var scale = (low4 | high2 << 4) - 32;
        var highBitSet = ((hmask[i % 32] >> (i / 32)) & 1) == 1;
        var q = Crumb(quants, i) - (highBitSet ? 0 : 4);
        return Half(block, 108) * scale * q;
    }

    /// <summary>Q4_K / Q5_K 6-bit scale and min of 32-element group g, from the 12 packed bytes.</summary>
    private static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> packed, int g) => g < 4
        ? (packed[g] & 63, packed[g + 4] & 63)
        : ((packed[g + 4] & 0xF) | (packed[g - 4] >> 6) << 4, (packed[g + 4] >> 4) | (packed[g] >> 6) << 4);

    /// <summary>Q4_K / Q5_K low 4 bits: 32 bytes per 64 elements, low nibble for the first 32.</summary>
    private static int KNibble(ReadOnlySpan<byte> quants, int i) => (quants[32 * (i / 64) + i % 32] >> (4 * (i / 32 % 2))) & 0xF;

    private static float Q4K(ReadOnlySpan<byte> block, int i)
    {
        var (scale, min) = ScaleMin(block.Slice(4, 12), i / 32);
        return Half(block, 0) * scale * KNibble(block[16..], i) - Half(block, 2) * min;
    }

    private static float Q5K(ReadOnlySpan<byte> block, int i)
    {
        var (scale, min) = ScaleMin(block.Slice(4, 12), i / 32);
        var highBit = (block[16 + i % 32] >> (i / 32)) & 1;
        return Half(block, 0) * scale * (KNibble(block[48..], i) + 16 * highBit) - Half(block, 2) * min;
    }

    private static float Q6K(ReadOnlySpan<byte> block, int i)
    {
        var chunk = i / 128;
        var quarter = i % 128 / 32;
        var lane = i % 32;
        var lowByte = block[64 * chunk + 32 * (quarter % 2) + lane];
        var low4 = quarter < 2 ? lowByte & 0xF : lowByte >> 4;
        var high2 = (block[128 + 32 * chunk + lane] >> (2 * quarter)) & 3;
        var q = (low4 | high2 << 4) - 32;
        var scale = (sbyte)block[192 + i / 16];
        return Half(block, 208) * scale * q;
    }
}
