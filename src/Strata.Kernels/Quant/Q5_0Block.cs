using System.Buffers.Binary;

namespace Strata.Kernels.Quant;

/// <summary>
/// Q5_0: 32 weights in 22 bytes, weight[i] = (q[i] - 16) * d with 5-bit q.
/// <code>
/// offset size  field
///      0    2  d       fp16 scale (the signed block value of largest magnitude / -16)
///      2    4  qh      uint32 little-endian: bit i is bit 4 of q[i]
///      6   16  qs[16]  byte j: low 4 bits of q[j] in the low nibble, of q[j + 16] in the high nibble
/// </code>
/// Dot products pair it with Q8_0 activations.
/// </summary>
internal static class Q5_0Block
{
    public const int Elements = 32;
    public const int Bytes = 22;

    private const int ScaleOffset = 0;
    private const int HighBitsOffset = 2;
    private const int QuantsOffset = 6;
    private const int Pairs = Elements / 2; // bytes of nibble pairs; weight j pairs with weight j + Pairs

    /// <summary>ggml's <c>quantize_row_q5_0_ref</c>: x is float[32], block is byte[22].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        // As in Q4_0, the value of largest magnitude maps to q = 0 exactly.
        var amax = 0f;
        var max = 0f;
        foreach (var v in x[..Elements])
        {
            if (amax < MathF.Abs(v))
            {
                amax = MathF.Abs(v);
                max = v;
            }
        }

        var d = max / -16;
        var id = d != 0 ? 1f / d : 0f;
        Fp16.Write(block[ScaleOffset..], d);

        var qs = block.Slice(QuantsOffset, Pairs);
        var highBits = 0u;
        for (var j = 0; j < Pairs; j++)
        {
            var low = Math.Min(31, (int)(x[j] * id + 16.5f));
            var high = Math.Min(31, (int)(x[j + Pairs] * id + 16.5f));
            qs[j] = (byte)((low & 0x0F) | (high & 0x0F) << 4);
            highBits |= (uint)(low >> 4) << j;
            highBits |= (uint)(high >> 4) << (j + Pairs);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(block[HighBitsOffset..], highBits);
    }

    /// <summary>block is byte[22], y is float[32].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        Span<int> q = stackalloc int[Elements];
        Unpack(block, q);
        for (var i = 0; i < Elements; i++)
            y[i] = (q[i] - 16) * d;
    }

    /// <summary>ggml's generic <c>vec_dot_q5_0_q8_0</c> over <paramref name="blocks"/> Q5_0 weight and Q8_0 activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<int> q = stackalloc int[Elements];
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_0Block.Bytes, Q8_0Block.Bytes);
            Unpack(w, q);
            var aq = Q8_0Block.Quants(a);
            var sumi = 0;
            for (var i = 0; i < Elements; i++)
                sumi += (q[i] - 16) * aq[i];
            sum += Fp16.Read(w[ScaleOffset..]) * Q8_0Block.Scale(a) * sumi;
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
