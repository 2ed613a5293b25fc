using System.Runtime.Intrinsics;

namespace Strata.Kernels.MatMul;

/// <summary>One token's 256 quants of a super-block as eight 32-quant groups, each in both halves of a vector.</summary>
internal readonly unsafe struct SuperBlockActivations(sbyte* quants)
{
    public Vector512<sbyte> G0 { get; } = RowPairs.Activations(quants);
    public Vector512<sbyte> G1 { get; } = RowPairs.Activations(quants + 32);
    public Vector512<sbyte> G2 { get; } = RowPairs.Activations(quants + 64);
    public Vector512<sbyte> G3 { get; } = RowPairs.Activations(quants + 96);
    public Vector512<sbyte> G4 { get; } = RowPairs.Activations(quants + 128);
    public Vector512<sbyte> G5 { get; } = RowPairs.Activations(quants + 160);
    public Vector512<sbyte> G6 { get; } = RowPairs.Activations(quants + 192);
    public Vector512<sbyte> G7 { get; } = RowPairs.Activations(quants + 224);
}
