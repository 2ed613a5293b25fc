namespace Strata.Kernels.MatMul;

/// <summary>
/// Where the Q8_0 activations of a token tile start: each token's quants, block scales and block sums. A tile of
/// fewer than four tokens repeats its last token in the unused places, so a kernel may compute them all.
/// </summary>
internal readonly unsafe struct TileActivations
{
    public TileActivations(QuantizedActivations a, int t, int count)
    {
        Q0 = a.Quants(t);
        Q1 = a.Quants(t + Math.Min(1, count - 1));
        Q2 = a.Quants(t + Math.Min(2, count - 1));
        Q3 = a.Quants(t + count - 1);
        D0 = a.Scales(t);
        D1 = a.Scales(t + Math.Min(1, count - 1));
        D2 = a.Scales(t + Math.Min(2, count - 1));
        D3 = a.Scales(t + count - 1);
        S0 = a.Sums(t);
        S1 = a.Sums(t + Math.Min(1, count - 1));
        S2 = a.Sums(t + Math.Min(2, count - 1));
        S3 = a.Sums(t + count - 1);
    }

    public sbyte* Q0 { get; }
    public sbyte* Q1 { get; }
    public sbyte* Q2 { get; }
    public sbyte* Q3 { get; }
    public float* D0 { get; }
    public float* D1 { get; }
    public float* D2 { get; }
    public float* D3 { get; }
    public int* S0 { get; }
    public int* S1 { get; }
    public int* S2 { get; }
    public int* S3 { get; }
}
