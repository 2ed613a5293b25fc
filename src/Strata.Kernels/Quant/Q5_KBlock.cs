namespace Strata.Kernels.Quant;

/// <summary>
/// Q5_K: 256 weights in 176 bytes, 8 groups of 32, weight[i] = d * scale[g] * q[i] - dmin * min[g] with 5-bit q and
/// 6-bit scale and min per group g = i / 32.
/// <code>
/// offset size  field
///      0    2  d           fp16 super-scale of the scales
///      2    2  dmin        fp16 super-scale of the mins
///      4   12  scales[12]  8 scales and 8 mins, 6 bits each (see KScaleMins)
///     16   32  qh[32]      bit (i / 32) of byte i % 32 is bit 4 of q[i]
///     48  128  qs[128]     low 4 bits of q, laid out as Q4_K's quants
/// </code>
/// Dot products pair it with Q8_K activations.
/// </summary>
internal static class Q5_KBlock
{
    public const int Elements = 256;
    public const int Bytes = 176;

    private const int GroupSize = 32;
    private const int Groups = Elements / GroupSize;
    private const int HighBitsOffset = KQuantAffine.HeaderBytes;
    private const int QuantsOffset = 48;

    /// <summary>ggml's <c>quantize_row_q5_K_ref</c>: x is float[256], block is byte[176].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        Span<byte> levels = stackalloc byte[Elements];
        KQuantAffine.FitGroups(x, block, levels, maxLevel: 31, firstNudge: -0.5f, nudges: 15);

        var highBits = block.Slice(HighBitsOffset, 32);
        var qs = block.Slice(QuantsOffset, Elements / 2);
        highBits.Clear();
        for (var i = 0; i < Elements; i++)
            highBits[i % 32] |= (byte)((levels[i] >> 4) << (i / 32));
        for (var i = 0; i < Elements; i += 64)
        {
            for (var l = 0; l < 32; l++)
                qs[i / 2 + l] = (byte)((levels[i + l] & 0xF) | (levels[i + l + 32] & 0xF) << 4);
        }
    }

    /// <summary>block is byte[176], y is float[256].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        for (var g = 0; g < Groups; g++)
        {
            var (groupScale, groupMin) = KQuantAffine.GroupScaleAndMin(block, g);
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                y[i] = groupScale * Quant(block, i) - groupMin;
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q5_K_q8_K</c> over <paramref name="blocks"/> Q5_K weight and Q8_K activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<float> sums = stackalloc float[KDotLanes.Count];
        Span<sbyte> quants = stackalloc sbyte[Elements];
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            for (var i = 0; i < Elements; i++)
                quants[i] = (sbyte)Quant(w, i);
            sum -= KQuantAffine.AccumulateDot(sums, w, quants, a);
        }
        return KDotLanes.Total(sum, sums);
    }

    /// <summary>The 5-bit quant of weight i (0..31).</summary>
    private static int Quant(ReadOnlySpan<byte> block, int i)
    {
        var low4 = (block[QuantsOffset + 32 * (i / 64) + i % 32] >> (4 * (i / 32 % 2))) & 0xF;
        var high = (block[HighBitsOffset + i % 32] >> (i / 32)) & 1;
        return low4 | high << 4;
    }
}
