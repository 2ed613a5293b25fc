namespace Strata.Kernels.Quant;

/// <summary>
/// Q4_K: 256 weights in 144 bytes, 8 groups of 32, weight[i] = d * scale[g] * q[i] - dmin * min[g] with 4-bit q and
/// 6-bit scale and min per group g = i / 32.
/// <code>
/// offset size  field
///      0    2  d           fp16 super-scale of the scales
///      2    2  dmin        fp16 super-scale of the mins
///      4   12  scales[12]  8 scales and 8 mins, 6 bits each (see KScaleMins)
///     16  128  qs[128]     32 bytes per 64 weights: weight i in byte 32 (i / 64) + i % 32, low nibble when (i / 32) is even
/// </code>
/// Dot products pair it with Q8_K activations.
/// </summary>
internal static class Q4_KBlock
{
    public const int Elements = 256;
    public const int Bytes = 144;

    private const int GroupSize = 32;
    private const int Groups = Elements / GroupSize;
    private const int QuantsOffset = KQuantAffine.HeaderBytes;

    /// <summary>ggml's <c>quantize_row_q4_K_ref</c>: x is float[256], block is byte[144].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        Span<byte> levels = stackalloc byte[Elements];
        KQuantAffine.FitGroups(x, block, levels, maxLevel: 15, firstNudge: -1f, nudges: 20);

        var qs = block.Slice(QuantsOffset, Elements / 2);
        for (var i = 0; i < Elements; i += 64)
        {
            for (var l = 0; l < 32; l++)
                qs[i / 2 + l] = (byte)(levels[i + l] | levels[i + l + 32] << 4);
        }
    }

    /// <summary>block is byte[144], y is float[256].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var qs = block.Slice(QuantsOffset, Elements / 2);
        for (var g = 0; g < Groups; g++)
        {
            var (groupScale, groupMin) = KQuantAffine.GroupScaleAndMin(block, g);
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                y[i] = groupScale * Nibble(qs, i) - groupMin;
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q4_K_q8_K</c> over <paramref name="blocks"/> Q4_K weight and Q8_K activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<float> sums = stackalloc float[KDotLanes.Count];
        Span<sbyte> quants = stackalloc sbyte[Elements];
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            var qs = w.Slice(QuantsOffset, Elements / 2);
            for (var i = 0; i < Elements; i++)
                quants[i] = (sbyte)Nibble(qs, i);
            sum -= KQuantAffine.AccumulateDot(sums, w, quants, a);
        }
        return KDotLanes.Total(sum, sums);
    }

    private static int Nibble(ReadOnlySpan<byte> qs, int i) => (qs[32 * (i / 64) + i % 32] >> (4 * (i / 32 % 2))) & 0xF;
}
