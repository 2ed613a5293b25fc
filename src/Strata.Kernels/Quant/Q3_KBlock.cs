namespace Strata.Kernels.Quant;

/// <summary>
/// Q3_K: 256 weights in 110 bytes, 16 groups of 16, weight[i] = d * scale[g] * q[i] with 3-bit signed q in -4..3 and a
/// 6-bit signed scale (stored + 32) per group g = i / 16.
/// <code>
/// offset size  field
///      0   32  hmask[32]   bit (i / 32) of byte i % 32 is set when q[i] ≥ 0 (the high bit of q[i] + 4)
///     32   64  qs[64]      low 2 bits of q[i] + 4, laid out as Q2_K's quants
///     96   12  scales[12]  group g: low 4 bits in byte g (g &lt; 8, low nibble) or g - 8 (high nibble);
///                          high 2 bits in byte 8 + g % 4 at bits 2 (g / 4)
///    108    2  d           fp16 super-scale
/// </code>
/// Dot products pair it with Q8_K activations.
/// </summary>
internal static class Q3_KBlock
{
    public const int Elements = 256;
    public const int Bytes = 110;

    private const int GroupSize = 16;
    private const int Groups = Elements / GroupSize;
    private const int HighBitsOffset = 0;
    private const int QuantsOffset = 32;
    private const int ScalesOffset = 96;
    private const int ScaleOffset = 108;

    /// <summary>ggml's <c>quantize_row_q3_K_ref</c>: x is float[256], block is byte[110].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        Span<sbyte> levels = stackalloc sbyte[Elements];
        Span<float> scales = stackalloc float[Groups];

        var maxScale = 0f;
        var amax = 0f;
        for (var g = 0; g < Groups; g++)
        {
            scales[g] = SymmetricFit.RefineLevels(x.Slice(g * GroupSize, GroupSize), 4, levels.Slice(g * GroupSize, GroupSize));
            if (MathF.Abs(scales[g]) > amax)
            {
                amax = MathF.Abs(scales[g]);
                maxScale = scales[g];
            }
        }

        // The group scales become 6-bit signed fractions of the one of largest magnitude, which maps to -32.
        var packed = block.Slice(ScalesOffset, 12);
        packed.Clear();
        if (maxScale != 0)
        {
            var iscale = -32f / maxScale;
            for (var g = 0; g < Groups; g++)
            {
                var biased = Math.Clamp((int)(sbyte)Rounding.NearestEven(iscale * scales[g]), -32, 31) + 32;
                if (g < 8)
                    packed[g] = (byte)(biased & 0xF);
                else
                    packed[g - 8] |= (byte)((biased & 0xF) << 4);
                packed[8 + g % 4] |= (byte)((biased >> 4) << (2 * (g / 4)));
            }
            Fp16.Write(block[ScaleOffset..], 1 / iscale);
        }
        else
        {
            Fp16.Write(block[ScaleOffset..], 0f);
        }

        // Requantize against the scales as stored.
        var d = Fp16.Read(block[ScaleOffset..]);
        for (var g = 0; g < Groups; g++)
        {
            var groupScale = d * GroupScale(packed, g);
            if (groupScale == 0)
                continue;
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                levels[i] = (sbyte)(Math.Clamp(Rounding.NearestEven(x[i] / groupScale), -4, 3) + 4);
        }

        var highBits = block.Slice(HighBitsOffset, 32);
        highBits.Clear();
        Span<byte> lowBits = stackalloc byte[Elements];
        for (var i = 0; i < Elements; i++)
        {
            if (levels[i] > 3)
                highBits[i % 32] |= (byte)(1 << (i / 32));
            lowBits[i] = (byte)(levels[i] & 3);
        }
        Q2_KBlock.PackCrumbs(lowBits, block.Slice(QuantsOffset, Elements / 4));
    }

    /// <summary>block is byte[110], y is float[256].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        var packed = block.Slice(ScalesOffset, 12);
        for (var g = 0; g < Groups; g++)
        {
            var groupScale = d * GroupScale(packed, g);
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                y[i] = groupScale * Quant(block, i);
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q3_K_q8_K</c> over <paramref name="blocks"/> Q3_K weight and Q8_K activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<int> groupScales = stackalloc int[Groups];
        Span<sbyte> quants = stackalloc sbyte[Elements];
        Span<float> sums = stackalloc float[KDotLanes.Count];
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            for (var i = 0; i < Elements; i++)
                quants[i] = (sbyte)Quant(w, i);
            for (var g = 0; g < Groups; g++)
                groupScales[g] = GroupScale(w.Slice(ScalesOffset, 12), g);
            KDotLanes.Accumulate(sums, Fp16.Read(w[ScaleOffset..]) * Q8_KBlock.Scale(a), quants, Q8_KBlock.Quants(a), groupScales);
        }
        return KDotLanes.Total(0f, sums);
    }

    /// <summary>The signed 6-bit scale of group g (-32..31).</summary>
    internal static int GroupScale(ReadOnlySpan<byte> packed, int g)
    {
        var low4 = g < 8 ? packed[g] & 0xF : packed[g - 8] >> 4;
        var high2 = (packed[8 + g % 4] >> (2 * (g / 4))) & 3;
        return (low4 | high2 << 4) - 32;
    }

    /// <summary>The signed 3-bit quant of weight i (-4..3).</summary>
    private static int Quant(ReadOnlySpan<byte> block, int i)
    {
        var highBitSet = (block[HighBitsOffset + i % 32] >> (i / 32) & 1) != 0;
        return Q2_KBlock.Crumb(block.Slice(QuantsOffset, Elements / 4), i) - (highBitSet ? 0 : 4);
    }
}
