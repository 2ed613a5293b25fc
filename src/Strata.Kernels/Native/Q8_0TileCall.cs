using System.Runtime.InteropServices;

namespace Strata.Kernels.Native;

/// <summary>
/// The arguments of one <see cref="Q8_0TileKernels"/> call, passed by pointer (more than System V's six registers).
/// Groups follow the first at <see cref="GroupStride"/> bytes, tokens the first at the two token strides.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Q8_0TileCall
{
    /// <summary>The first row group's quants (its scales follow its last block).</summary>
    public byte* Weights;

    public long GroupStride;

    public long Blocks;

    /// <summary>The first token's lines: per block its 32 quants, then the eight lane starts (int32).</summary>
    public byte* Lines;

    public long LineStride;

    /// <summary>The first token's block scales, one float per block.</summary>
    public float* Scales;

    public long ScaleStride;

    /// <summary>results[token][group][16 rows].</summary>
    public float* Results;

    /// <summary>Where the first group's prefetch stream starts (<see cref="Q8_0TileKernels.AheadLines"/> lines a block, one stream per group).</summary>
    public byte* Ahead;
}
