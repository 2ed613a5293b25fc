namespace Strata.Kernels.Attention;

/// <summary>
/// Keys of a quantized cache (Q8_0, or Q4_0 unpacked to int8) as attention reads them, two keys side by side so one
/// 512-bit vector holds the same 32-element block of both: quants [pairs][headDim / 32][2][32] and scales
/// [pairs][headDim / 32][2], for key pairs (2p, 2p + 1). Room is kept for whole groups of
/// <see cref="OnlineSoftmaxAttention.KeyGroup"/> keys; keys past the count may hold anything finite.
/// </summary>
public readonly unsafe struct Q8_0Keys(sbyte* quants, float* scales)
{
    public sbyte* Quants { get; } = quants;

    public float* Scales { get; } = scales;

    /// <summary>Bytes of quants for <paramref name="keys"/> keys rounded up to whole key groups.</summary>
    public static int QuantBytes(int keys, int headDim) => RoundedKeys(keys) * headDim;

    /// <summary>Floats of scales for <paramref name="keys"/> keys rounded up to whole key groups.</summary>
    public static int ScaleCount(int keys, int headDim) => RoundedKeys(keys) * (headDim / 32);

    /// <summary>Where block b of key k starts: 32 quants, and its scale.</summary>
    public sbyte* BlockQuants(int key, int block, int headDim) => Quants + ((long)(key / 2) * (headDim / 32) + block) * 64 + 32 * (key % 2);

    public float* BlockScale(int key, int block, int headDim) => Scales + ((long)(key / 2) * (headDim / 32) + block) * 2 + key % 2;

    private static int RoundedKeys(int keys) =>
        (keys + OnlineSoftmaxAttention.KeyGroup - 1) / OnlineSoftmaxAttention.KeyGroup * OnlineSoftmaxAttention.KeyGroup;
}
