using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The type-specific half of a K-quant kernel over 16-row interleaved groups: how a group is packed and how a tile of
/// tokens is multiplied at each SIMD level. <see cref="InterleavedKernel"/> is the other half (groups, tiles, dispatch).
/// </summary>
internal unsafe interface IInterleavedKernel
{
    /// <summary>Bytes of a row group of <paramref name="blocks"/> super-blocks.</summary>
    static abstract long GroupBytes(int blocks);

    /// <summary>
    /// Writes super-block <paramref name="b"/> of row <paramref name="row"/> of a group (its stored bytes at
    /// <paramref name="block"/>) into the group at <paramref name="destination"/>, which holds <paramref name="blocks"/>
    /// super-blocks; <see cref="InterleavedKernel.Pack{TKernel}"/> walks the rows and super-blocks.
    /// </summary>
    static abstract void PackSuperBlock(byte* block, int row, int b, int blocks, byte* destination);

    /// <summary>All rows of the group for tokens t .. t + TTile.Count − 1 in 16-lane vectors.</summary>
    static abstract void Tile512<TTile>(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output)
        where TTile : struct, ITokenTile;

    /// <summary>Rows 8·half .. 8·half + 7 of the group for tokens t .. t + TTile.Count − 1 in 8-lane vectors.</summary>
    static abstract void Tile256<TTile>(in InterleavedGroup group, int half, QuantizedActivations a, int t, MatMulOutput output)
        where TTile : struct, ITokenTile;

    /// <summary>The scalar path (and the reading of the layout the vector paths are tested against), one token.</summary>
    static abstract void GroupScalar(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output);
}
