namespace Strata.Kernels.Quant;

/// <summary>
/// Q2_K: 256 weights in 84 bytes, 16 groups of 16, weight[i] = d * scale[g] * q[i] - dmin * min[g] with 2-bit q and
/// 4-bit scale and min per group g = i / 16.
/// <code>
/// offset size  field
///      0   16  scales[16]  group g: scale in the low nibble, min in the high nibble
///     16   64  qs[64]      2-bit quants: each 128-weight half has 32 bytes; weight i is in byte 32 (i / 128) + i % 32
///                          at bits 2 ((i / 32) % 4)
///     80    2  d           fp16 super-scale of the scales
///     82    2  dmin        fp16 super-scale of the mins
/// </code>
/// Dot products pair it with Q8_K activations.
/// </summary>
internal static class Q2_KBlock
{
    public const int Elements = 256;
    public const int Bytes = 84;

    private const int GroupSize = 16;
    private const int Groups = Elements / GroupSize;
    private const int ScalesOffset = 0;
    private const int QuantsOffset = 16;
    private const int ScaleOffset = 80;
    private const int MinScaleOffset = 82;

    /// <summary>ggml's <c>quantize_row_q2_K_ref</c>: x is float[256], block is byte[84].</summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> block)
    {
        Span<byte> levels = stackalloc byte[Elements];
        Span<byte> scratch = stackalloc byte[GroupSize];
        Span<float> weights = stackalloc float[GroupSize];
        Span<float> scales = stackalloc float[Groups];
        Span<float> mins = stackalloc float[Groups];

        var maxScale = 0f;
        var maxMin = 0f;
        for (var g = 0; g < Groups; g++)
        {
            var group = x.Slice(g * GroupSize, GroupSize);
            for (var i = 0; i < GroupSize; i++)
                weights[i] = MathF.Abs(group[i]);
            scales[g] = AffineFit.Fit(group, weights, 3, levels.Slice(g * GroupSize, GroupSize), scratch, -0.5f, 0.1f, 15, absoluteError: true, out mins[g]);
            maxScale = MathF.Max(maxScale, scales[g]);
            maxMin = MathF.Max(maxMin, mins[g]);
        }

        // The group scales and mins become 4-bit fractions of their largest value.
        const float levels4 = 15f;
        var packed = block.Slice(ScalesOffset, Groups);
        packed.Clear();
        if (maxScale > 0)
        {
            var iscale = levels4 / maxScale;
            for (var g = 0; g < Groups; g++)
                packed[g] = (byte)Rounding.NearestEven(iscale * scales[g]);
        }
        Fp16.Write(block[ScaleOffset..], maxScale > 0 ? maxScale / levels4 : 0f);
        if (maxMin > 0)
        {
            var iscale = levels4 / maxMin;
            for (var g = 0; g < Groups; g++)
                packed[g] |= (byte)(Rounding.NearestEven(iscale * mins[g]) << 4);
        }
        Fp16.Write(block[MinScaleOffset..], maxMin > 0 ? maxMin / levels4 : 0f);

        // Requantize against the scales as stored (fp16 super-scales times 4-bit group values).
        var d = Fp16.Read(block[ScaleOffset..]);
        var dmin = Fp16.Read(block[MinScaleOffset..]);
        for (var g = 0; g < Groups; g++)
        {
            var groupScale = d * (packed[g] & 0xF);
            if (groupScale == 0)
                continue;
            var groupMin = dmin * (packed[g] >> 4);
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                levels[i] = (byte)Math.Clamp(Rounding.NearestEven((x[i] + groupMin) / groupScale), 0, 3);
        }

        PackCrumbs(levels, block.Slice(QuantsOffset, Elements / 4));
    }

    /// <summary>block is byte[84], y is float[256].</summary>
    public static void Dequantize(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = Fp16.Read(block[ScaleOffset..]);
        var dmin = Fp16.Read(block[MinScaleOffset..]);
        var packed = block.Slice(ScalesOffset, Groups);
        var qs = block.Slice(QuantsOffset, Elements / 4);
        for (var g = 0; g < Groups; g++)
        {
            var groupScale = d * (packed[g] & 0xF);
            var groupMin = dmin * (packed[g] >> 4);
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                y[i] = groupScale * Crumb(qs, i) - groupMin;
        }
    }

    /// <summary>ggml's generic <c>vec_dot_q2_K_q8_K</c> over <paramref name="blocks"/> Q2_K weight and Q8_K activation blocks.</summary>
    public static float Dot(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        var sum = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Bytes, Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            var packed = w.Slice(ScalesOffset, Groups);
            var qs = w.Slice(QuantsOffset, Elements / 4);
            var aq = Q8_KBlock.Quants(a);

            // The mins need only the activation's cached group sums.
            var minSum = 0;
            for (var g = 0; g < Groups; g++)
                minSum += Q8_KBlock.GroupSum(a, g) * (packed[g] >> 4);

            var scaledSum = 0;
            for (var g = 0; g < Groups; g++)
            {
                var groupSum = 0;
                for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                    groupSum += aq[i] * Crumb(qs, i);
                scaledSum += (packed[g] & 0xF) * groupSum;
            }

            var activationScale = Q8_KBlock.Scale(a);
            var d = activationScale * Fp16.Read(w[ScaleOffset..]);
            var dmin = activationScale * Fp16.Read(w[MinScaleOffset..]);
            sum += d * scaledSum - dmin * minSum;
        }
        return sum;
    }

    /// <summary>The 2-bit quant of weight i; Q3_K stores its low bits the same way.</summary>
    internal static int Crumb(ReadOnlySpan<byte> qs, int i) => (qs[32 * (i / 128) + i % 32] >> (2 * (i / 32 % 4))) & 3;

    /// <summary>Packs 256 2-bit levels into 64 bytes in the layout <see cref="Crumb"/> reads.</summary>
    internal static void PackCrumbs(ReadOnlySpan<byte> levels, Span<byte> qs)
    {
        for (var half = 0; half < 2; half++)
        {
            for (var l = 0; l < 32; l++)
            {
                var first = 128 * half + l;
                qs[32 * half + l] = (byte)(levels[first] | levels[first + 32] << 2 | levels[first + 64] << 4 | levels[first + 96] << 6);
            }
        }
    }
}
