namespace Strata.Kernels.Quant;

/// <summary>
/// What Q4_K and Q5_K share: the header (fp16 d and dmin, then eight 6-bit scales and mins in 12 bytes) and how it
/// is fitted, the per-group scale and offset it encodes, and the scale/min part of their dot products.
/// <code>
/// offset size  field
///      0    2  d           fp16 super-scale of the scales
///      2    2  dmin        fp16 super-scale of the mins
///      4   12  scales[12]  KScaleMins packing
/// </code>
/// </summary>
internal static class KQuantAffine
{
    /// <summary>Bytes of the shared header; the quants follow it.</summary>
    public const int HeaderBytes = 16;

    private const int Elements = 256;
    private const int GroupSize = 32;
    private const int Groups = Elements / GroupSize;
    private const int ScaleOffset = 0;
    private const int MinScaleOffset = 2;
    private const int ScalesOffset = 4;

    /// <summary>
    /// The common part of ggml's <c>quantize_row_q4_K_ref</c> and <c>quantize_row_q5_K_ref</c>: fits each group of 32
    /// (weights av_x + |x|), stores d, dmin and the packed 6-bit scales and mins in the block header, and writes the
    /// final levels (0..maxLevel, requantized against the stored scales) into levels[256].
    /// </summary>
    public static void FitGroups(ReadOnlySpan<float> x, Span<byte> block, Span<byte> levels, int maxLevel, float firstNudge, int nudges)
    {
        Span<byte> scratch = stackalloc byte[GroupSize];
        Span<float> weights = stackalloc float[GroupSize];
        Span<float> scales = stackalloc float[Groups];
        Span<float> mins = stackalloc float[Groups];

        var maxScale = 0f;
        var maxMin = 0f;
        for (var g = 0; g < Groups; g++)
        {
            var group = x.Slice(g * GroupSize, GroupSize);
            var sumOfSquares = 0f;
            foreach (var v in group)
                sumOfSquares += v * v;
            var rms = MathF.Sqrt(sumOfSquares / GroupSize);
            for (var i = 0; i < GroupSize; i++)
                weights[i] = rms + MathF.Abs(group[i]);
            scales[g] = AffineFit.Fit(group, weights, maxLevel, levels.Slice(g * GroupSize, GroupSize), scratch,
                firstNudge, 0.1f, nudges, absoluteError: false, out mins[g]);
            maxScale = MathF.Max(maxScale, scales[g]);
            maxMin = MathF.Max(maxMin, mins[g]);
        }

        // Scales and mins become 6-bit fractions of their largest values. A negative fit wraps like ggml's uint8_t cast.
        var inverseScale = maxScale > 0 ? 63f / maxScale : 0f;
        var inverseMin = maxMin > 0 ? 63f / maxMin : 0f;
        Span<byte> quantizedScales = stackalloc byte[Groups];
        Span<byte> quantizedMins = stackalloc byte[Groups];
        for (var g = 0; g < Groups; g++)
        {
            quantizedScales[g] = Math.Min((byte)63, (byte)Rounding.NearestEven(inverseScale * scales[g]));
            quantizedMins[g] = Math.Min((byte)63, (byte)Rounding.NearestEven(inverseMin * mins[g]));
        }
        var packed = block.Slice(ScalesOffset, KScaleMins.Bytes);
        KScaleMins.Pack(quantizedScales, quantizedMins, packed);
        Fp16.Write(block[ScaleOffset..], maxScale / 63f);
        Fp16.Write(block[MinScaleOffset..], maxMin / 63f);

        // Requantize against the scales as stored.
        var d = Fp16.Read(block[ScaleOffset..]);
        var dmin = Fp16.Read(block[MinScaleOffset..]);
        for (var g = 0; g < Groups; g++)
        {
            var (scale, min) = KScaleMins.Unpack(packed, g);
            var groupScale = d * scale;
            if (groupScale == 0)
                continue;
            var groupMin = dmin * min;
            for (var i = g * GroupSize; i < (g + 1) * GroupSize; i++)
                levels[i] = (byte)Math.Clamp(Rounding.NearestEven((x[i] + groupMin) / groupScale), 0, maxLevel);
        }
    }

    /// <summary>Group g's effective scale and offset, d * scale[g] and dmin * min[g], in ggml's float order.</summary>
    public static (float Scale, float Min) GroupScaleAndMin(ReadOnlySpan<byte> block, int g)
    {
        var (scale, min) = KScaleMins.Unpack(block.Slice(ScalesOffset, KScaleMins.Bytes), g);
        return (Fp16.Read(block[ScaleOffset..]) * scale, Fp16.Read(block[MinScaleOffset..]) * min);
    }

    /// <summary>
    /// The float part of the Q4_K/Q5_K dot product for one block: adds d * da * Σ scale·q·qa to the lane sums and
    /// returns dmin * da * Σ min·Σqa for the caller to subtract, where da is the activation block's scale and
    /// weightQuants[256] are the block's unpacked quants.
    /// </summary>
    public static float AccumulateDot(Span<float> laneSums, ReadOnlySpan<byte> weightBlock, ReadOnlySpan<sbyte> weightQuants, ReadOnlySpan<byte> activationBlock)
    {
        Span<int> groupScales = stackalloc int[Groups];
        var minSum = GroupScalesAndMinSum(weightBlock.Slice(ScalesOffset, KScaleMins.Bytes), activationBlock, groupScales);
        var activationScale = Q8_KBlock.Scale(activationBlock);
        KDotLanes.Accumulate(laneSums, Fp16.Read(weightBlock[ScaleOffset..]) * activationScale, weightQuants, Q8_KBlock.Quants(activationBlock), groupScales);
        return Fp16.Read(weightBlock[MinScaleOffset..]) * activationScale * minSum;
    }

    /// <summary>
    /// Unpacks the eight group scales of a Q4_K/Q5_K weight block header into groupScales[8] and returns the integer
    /// Σ min[g] * (sum of the activation quants of group g), which the dot product subtracts after scaling by dmin.
    /// </summary>
    private static int GroupScalesAndMinSum(ReadOnlySpan<byte> packed, ReadOnlySpan<byte> activationBlock, Span<int> groupScales)
    {
        var minSum = 0;
        for (var g = 0; g < Groups; g++)
        {
            var (scale, min) = KScaleMins.Unpack(packed, g);
            groupScales[g] = scale;
            // Q8_K caches sums per 16 activations; a group of 32 spans two of them.
            minSum += (Q8_KBlock.GroupSum(activationBlock, 2 * g) + Q8_KBlock.GroupSum(activationBlock, 2 * g + 1)) * min;
        }
        return minSum;
    }
}
