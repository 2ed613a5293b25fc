namespace Strata.Kernels.Quant;

/// <summary>
/// Q6_K: 256 weights in 210 bytes, 16 groups of 16, weight[i] = d * scale[g] * q[i] with 6-bit signed q in -32..31
/// (stored + 32) and an int8 scale per group g = i / 16.
/// <code>
/// offset size  field
///      0  128  ql[128]     low 4 bits of q[i] + 32: byte 64 h + 32 ((i / 32) % 2) + i % 32, in the low nibble for the
///                          first 64 weights of the half and the high nibble for the last 64
///    128   64  qh[64]      high 2 bits of q[i] + 32: byte 32 h + i % 32, at bits 2 ((i % 128) / 32)
///    192   16  scales[16]  int8 group scales
///    208    2  d           fp16 super-scale
/// </code>
/// where h = i / 128 is the half. Dot products pair it with Q8_K activations.
/// </summary>
internal static class Q6_KBlock
{
    public const int Elements = 256;
    public const int Bytes = 210;

    private const int GroupSize = 16;
    private const int Groups = Elements / GroupSize;
    private const int LowBitsOffset = 0;
    private const int HighBitsOffset = 128;
    private const int ScalesOffset = 192;
    private const int ScaleOffset = 208;

    /// <summary>ggml's <c>quantize_row_q6_K_ref</c>: x is float[256], block is byte[210].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        Span<sbyte> levels = stackalloc sbyte[Elements];
        Span<float> scales = stackalloc float[Groups];

        var maxScale = 0f;
        var maxAbsScale = 0f;
        for (var g = 0; g < Groups; g++)
        {
            scales[g] = SymmetricFit.SearchGrid(x.Slice(g * GroupSize, GroupSize), 32, levels.Slice(g * GroupSize, GroupSize));
            if (MathF.Abs(scales[g]) > maxAbsScale)
            {
                maxAbsScale = MathF.Abs(scales[g]);
                maxScale = scales[g];
            }
        }

        block[..Bytes].Clear();
        if (maxAbsScale < SymmetricFit.ZeroGroupMax)
            return;

        // The group scales become int8 fractions of the one of largest magnitude, which maps to -128 (clamped to 127 above).
        var iscale = -128f / maxScale;
        Fp16.Write(block[ScaleOffset..], 1 / iscale);
        var groupScales = block.Slice(ScalesOffset, Groups);
        for (var g = 0; g < Groups; g++)
            groupScales[g] = (byte)(sbyte)Math.Min(127, Rounding.NearestEven(iscale * scales[g]));

        // Requantize against the scales as stored.
        var d = Fp16.Read(block[ScaleOffset..]);
        for (var g = 0; g < Groups; g++)
        {
            var groupScale = d * (sbyte)groupScales[g];
            if (groupScale == 0)
                continue;
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                levels[i] = (sbyte)(Math.Clamp(Rounding.NearestEven(x[i] / groupScale), -32, 31) + 32);
        }

        for (var i = 0; i < Elements; i++)
        {
            var (lowByte, lowShift, highByte, highShift) = Position(i);
            block[lowByte] |= (byte)((levels[i] & 0xF) << lowShift);
            block[highByte] |= (byte)((levels[i] >> 4) << highShift);
        }
    }

    /// <summary>block is byte[210], y is float[256].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        for (var g = 0; g < Groups; g++)
        {
            var groupScale = d * (sbyte)block[ScalesOffset + g];
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                y[i] = groupScale * Quant(block, i);
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q6_K_q8_K</c> over <paramref name="blocks"/> Q6_K weight and Q8_K activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<float> sums = stackalloc float[KDotLanes.Count];
        Span<sbyte> quants = stackalloc sbyte[Elements];
        Span<int> groupScales = stackalloc int[Groups];
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            for (var i = 0; i < Elements; i++)
                quants[i] = (sbyte)Quant(w, i);
            for (var g = 0; g < Groups; g++)
                groupScales[g] = (sbyte)w[ScalesOffset + g];
            KDotLanes.Accumulate(sums, Fp16.Read(w[ScaleOffset..]) * Q8_KBlock.Scale(a), quants, Q8_KBlock.Quants(a), groupScales);
        }
        return KDotLanes.Total(0f, sums);
    }

    /// <summary>The signed 6-bit quant of weight i (-32..31).</summary>
    private static int Quant(ReadOnlySpan<byte> block, int i)
    {
        var (lowByte, lowShift, highByte, highShift) = Position(i);
        var low4 = (block[lowByte] >> lowShift) & 0xF;
        var high2 = (block[highByte] >> highShift) & 3;
        return (low4 | high2 << 4) - 32;
    }

    /// <summary>Where weight i's low 4 bits and high 2 bits live: byte offsets in the block and bit shifts.</summary>
    private static (int LowByte, int LowShift, int HighByte, int HighShift) Position(int i)
    {
        var half = i / 128;
        var quarter = i % 128 / 32; // 0..3 within the half
        var lane = i % 32;
        return (LowBitsOffset + 64 * half + 32 * (quarter % 2) + lane, 4 * (quarter / 2),
            HighBitsOffset + 32 * half + lane, 2 * quarter);
    }
}
