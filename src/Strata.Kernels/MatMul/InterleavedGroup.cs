namespace Strata.Kernels.MatMul;

/// <summary>One row group of an interleaved K-quant layout: 16 rows' super-blocks side by side, in the kernel's order.</summary>
internal readonly unsafe struct InterleavedGroup(byte* data, int blocks, int row, int count)
{
    public byte* Data { get; } = data;

    public int Blocks { get; } = blocks;

    /// <summary>The group's first row in the matrix.</summary>
    public int Row { get; } = row;

    /// <summary>Rows of the group that exist (16 but in a matrix's last group).</summary>
    public int Count { get; } = count;
}
