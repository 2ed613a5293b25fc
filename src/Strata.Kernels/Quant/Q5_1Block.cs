using System.Buffers.Binary;

namespace Strata.Kernels.Quant;

/// <summary>
/// Q5_1: 32 weights in 24 bytes, weight[i] = q[i] * d + m with 5-bit q.
/// <code>
/// offset size  field
///      0    2  d       fp16 scale ((block max - block min) / 31)
///      2    2  m       fp16 block minimum
///      4    4  qh      uint32 little-endian: bit i is bit 4 of q[i]
///      8   16  qs[16]  byte j: low 4 bits of q[j] in the low nibble, of q[j + 16] in the high nibble
/// </code>
/// Dot products pair it with Q8_1 activations.
/// </summary>
internal static class Q5_1Block
{
    public const int Elements = 32;
    public const int Bytes = 24;

    private const int ScaleOffset = 0;
    private const int MinOffset = 2;
    private const int HighBitsOffset = 4;
    private const int QuantsOffset = 8;
    private const int Pairs = Elements / 2; // bytes of nibble pairs; weight j pairs with weight j + Pairs

    /// <summary>ggml's <c>quantize_row_q5_1_ref</c>: x is float[32], block is byte[24].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        var min = float.MaxValue;
        var max = float.MinValue;
        foreach (var v in x[..Elements])
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }

        var d = (max - min) / 31;
        var id = d != 0 ? 1f / d : 0f;
        Fp16.Write(block[ScaleOffset..], d);
        Fp16.Write(block[MinOffset..], min);

        // Unlike Q4_1 there is no clamp: (max - min) * id rounds to 31 at most.
        var qs = block.Slice(QuantsOffset, Pairs);
        var highBits = 0u;
        for (var j = 0; j < Pairs; j++)
        {
            var low = (int)((x[j] - min) * id + 0.5f);
            var high = (int)((x[j + Pairs] - min) * id + 0.5f);
            qs[j] = (byte)((low & 0x0F) | (high & 0x0F) << 4);
            highBits |= (uint)((low & 0x10) >> 4) << j;
            highBits |= (uint)((high & 0x10) >> 4) << (j + Pairs);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(block[HighBitsOffset..], highBits);
    }

    /// <summary>block is byte[24], y is float[32].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        var m = Fp16.Read(block[MinOffset..]);
        Span<int> q = stackalloc int[Elements];
        Unpack(block, q);
        for (var i = 0; i < Elements; i++)
            y[i] = q[i] * d + m;
    }

    /// <summary>ggml's generic <c>vec_dot_q5_1_q8_1</c> over <paramref name="blocks"/> Q5_1 weight and Q8_1 activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<int> q = stackalloc int[Elements];
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_1Block.Bytes, Q8_1Block.Bytes);
            Unpack(w, q);
            var aq = Q8_1Block.Quants(a);
            var sumi = 0;
            for (var i = 0; i < Elements; i++)
                sumi += q[i] * aq[i];
            // sum(w·a) = d·da·sum(q·qa) + m·(da·sum(qa)), the second factor being the activation's cached sum.
            var d = Fp16.Read(w[ScaleOffset..]);
            var m = Fp16.Read(w[MinOffset..]);
            sum += d * Q8_1Block.Scale(a) * sumi + m * Q8_1Block.ScaledSum(a);
        }
        return sum;
    }

    /// <summary>The 5-bit quants q[32] (0..31) of a block.</summary>
    private static void Unpack(ReadOnlySpan<byte> block, Span<int> q)
    {
        var highBits = BinaryPrimitives.ReadUInt32LittleEndian(block[HighBitsOffset..]);
        var qs = block.Slice(QuantsOffset, Pairs);
        for (var j = 0; j < Pairs; j++)
        {
            q[j] = (qs[j] & 0x0F) | (int)((highBits >> j) & 1) << 4;
            q[j + Pairs] = (qs[j] >> 4) | (int)((highBits >> (j + Pairs)) & 1) << 4;
        }
    }
}
