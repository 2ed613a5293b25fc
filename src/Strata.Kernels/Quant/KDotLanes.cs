namespace Strata.Kernels.Quant;

/// <summary>
/// The shape of ggml's generic Q3_K, Q4_K, Q5_K and Q6_K dot products: within a super-block, integer products summed
/// into eight lanes (lane l takes the weights with index % 8 == l), each lane scaled by the super-block's float scale
/// into its own float partial sum, and the eight partial sums added only at the end. Keeping the lanes gives the same
/// float rounding as ggml's reference.
/// </summary>
internal static class KDotLanes
{
    public const int Count = 8;

    /// <summary>
    /// sums[l] += d * Σ over i % 8 == l of groupScales[i / groupSize] * weights[i] * activations[i], where the group
    /// size is weights.Length / groupScales.Length. sums is float[8].
    /// </summary>
    public static void Accumulate(Span<float> sums, float d, ReadOnlySpan<sbyte> weights, ReadOnlySpan<sbyte> activations, ReadOnlySpan<int> groupScales)
    {
        var groupSize = weights.Length / groupScales.Length;
        Span<int> lanes = stackalloc int[Count];
        for (var i = 0; i < weights.Length; i++)
            lanes[i % Count] += groupScales[i / groupSize] * (weights[i] * activations[i]);
        for (var l = 0; l < Count; l++)
            sums[l] += d * lanes[l];
    }

    /// <summary>start plus the eight partial sums, added in lane order.</summary>
    public static float Total(float start, ReadOnlySpan<float> sums)
    {
        foreach (var sum in sums[..Count])
            start += sum;
        return start;
    }
}
