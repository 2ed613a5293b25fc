namespace Strata.Kernels.Quant;

/// <summary>
/// Q4_1: 32 weights in 20 bytes, weight[i] = q[i] * d + m.
/// <code>
/// offset size  field
///      0    2  d       fp16 scale ((block max - block min) / 15)
///      2    2  m       fp16 block minimum
///      4   16  qs[16]  byte j: q[j] in the low nibble, q[j + 16] in the high nibble
/// </code>
/// Dot products pair it with Q8_1 activations.
/// </summary>
internal static class Q4_1Block
{
    public const int Elements = 32;
    public const int Bytes = 20;

    private const int ScaleOffset = 0;
    private const int MinOffset = 2;
    private const int QuantsOffset = 4;
    private const int Pairs = Elements / 2; // bytes of nibble pairs; weight j pairs with weight j + Pairs

    /// <summary>ggml's <c>quantize_row_q4_1_ref</c>: x is float[32], block is byte[20].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        var min = float.MaxValue;
        var max = float.MinValue;
        foreach (var v in x[..Elements])
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }

        var d = (max - min) / 15;
        var id = d != 0 ? 1f / d : 0f;
        Fp16.Write(block[ScaleOffset..], d);
        Fp16.Write(block[MinOffset..], min);

        var qs = block.Slice(QuantsOffset, Pairs);
        for (var j = 0; j < Pairs; j++)
        {
            var low = Math.Min(15, (int)((x[j] - min) * id + 0.5f));
            var high = Math.Min(15, (int)((x[j + Pairs] - min) * id + 0.5f));
            qs[j] = (byte)(low | high << 4);
        }
    }

    /// <summary>block is byte[20], y is float[32].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        var m = Fp16.Read(block[MinOffset..]);
        var qs = block.Slice(QuantsOffset, Pairs);
        for (var j = 0; j < Pairs; j++)
        {
            y[j] = (qs[j] & 0x0F) * d + m;
            y[j + Pairs] = (qs[j] >> 4) * d + m;
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q4_1_q8_1</c> over <paramref name="blocks"/> Q4_1 weight and Q8_1 activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_1Block.Bytes, Q8_1Block.Bytes);
            var qs = w.Slice(QuantsOffset, Pairs);
            var aq = Q8_1Block.Quants(a);
            int sumLow = 0, sumHigh = 0;
            for (var j = 0; j < Pairs; j++)
            {
                sumLow += (qs[j] & 0x0F) * aq[j];
                sumHigh += (qs[j] >> 4) * aq[j + Pairs];
            }
            // sum(w·a) = d·da·sum(q·qa) + m·(da·sum(qa)), the second factor being the activation's cached sum.
            var d = Fp16.Read(w[ScaleOffset..]);
            var m = Fp16.Read(w[MinOffset..]);
            sum += d * Q8_1Block.Scale(a) * (sumLow + sumHigh) + m * Q8_1Block.ScaledSum(a);
        }
        return sum;
    }
}
