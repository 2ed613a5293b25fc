namespace Strata.Kernels.MatMul;

/// <summary>One token's Q8_K activations as the K-quant kernels read them (see <see cref="QuantizedActivations"/>).</summary>
internal readonly unsafe struct Q8_KToken(QuantizedActivations a, int t)
{
    /// <summary>sbyte[cols].</summary>
    public sbyte* Quants { get; } = a.Quants(t);

    /// <summary>float[cols / 256].</summary>
    public float* Scales { get; } = a.SuperBlockScales(t);

    /// <summary>short[cols / 16]: the sums of each 16 quants.</summary>
    public short* GroupSums { get; } = a.GroupSums(t);

    /// <summary>int[cols / 256 · 4]: the sums of each 32 quants as int16 pairs.</summary>
    public int* PairSums { get; } = a.PairSums(t);
}
