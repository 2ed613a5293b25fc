using System.Runtime.Intrinsics;

namespace Strata.Kernels.MatMul;

/// <summary>A weight block type that <see cref="EightLaneKernel"/> reads: an fp16 scale at offset 0 and 32 quants.</summary>
internal unsafe interface IEightLaneBlock
{
    static abstract int Bytes { get; }

    /// <summary>The block's 32 quants as signed bytes, in order.</summary>
    static abstract Vector256<sbyte> Load(byte* block);

    /// <summary>Quant i (0..31) of the block.</summary>
    static abstract int Quant(byte* block, int i);
}
