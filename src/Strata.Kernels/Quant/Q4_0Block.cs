namespace Strata.Kernels.Quant;

/// <summary>
/// Q4_0: 32 weights in 18 bytes, weight[i] = (q[i] - 8) * d.
/// <code>
/// offset size  field
///      0    2  d       fp16 scale (the signed block value of largest magnitude / -8)
///      2   16  qs[16]  byte j: q[j] in the low nibble, q[j + 16] in the high nibble
/// </code>
/// Dot products pair it with Q8_0 activations.
/// </summary>
internal static class Q4_0Block
{
    public const int Elements = 32;
    public const int Bytes = 18;

    private const int ScaleOffset = 0;
    private const int QuantsOffset = 2;
    private const int Pairs = Elements / 2; // bytes of nibble pairs; weight j pairs with weight j + Pairs

    /// <summary>ggml's <c>quantize_row_q4_0_ref</c>: x is float[32], block is byte[18].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        // The scale's sign follows the value of largest magnitude so that value maps to q = 0 exactly,
        // which gives the other side the full range up to q = 15.
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

        var d = max / -8;
        var id = d != 0 ? 1f / d : 0f;
        Fp16.Write(block[ScaleOffset..], d);

        var qs = block.Slice(QuantsOffset, Pairs);
        for (var j = 0; j < Pairs; j++)
        {
            var low = Math.Min(15, (int)(x[j] * id + 8.5f));
            var high = Math.Min(15, (int)(x[j + Pairs] * id + 8.5f));
            qs[j] = (byte)(low | high << 4);
        }
    }

    /// <summary>block is byte[18], y is float[32].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        var qs = block.Slice(QuantsOffset, Pairs);
        for (var j = 0; j < Pairs; j++)
        {
            y[j] = ((qs[j] & 0x0F) - 8) * d;
            y[j + Pairs] = ((qs[j] >> 4) - 8) * d;
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q4_0_q8_0</c> over <paramref name="blocks"/> Q4_0 weight and Q8_0 activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_0Block.Bytes, Q8_0Block.Bytes);
            var qs = w.Slice(QuantsOffset, Pairs);
            var aq = Q8_0Block.Quants(a);
            int sumLow = 0, sumHigh = 0;
            for (var j = 0; j < Pairs; j++)
            {
                sumLow += ((qs[j] & 0x0F) - 8) * aq[j];
                sumHigh += ((qs[j] >> 4) - 8) * aq[j + Pairs];
            }
            sum += (sumLow + sumHigh) * Fp16.Read(w) * Q8_0Block.Scale(a);
        }
        return sum;
    }
}
