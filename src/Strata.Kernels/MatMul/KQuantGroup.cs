namespace Strata.Kernels.MatMul;

/// <summary>
/// One row group of a K-quant layout that stores every super-block's quants first and then every super-block's
/// scales (so the quants stay cache-line aligned whatever the scale bytes).
/// </summary>
internal readonly unsafe struct KQuantGroup(byte* data, int blocks, int row, int count, int quantBytes, int scaleBytes)
{
    public int Blocks { get; } = blocks;

    /// <summary>The group's first row in the matrix.</summary>
    public int Row { get; } = row;

    /// <summary>Rows of the group that exist (16 but in a matrix's last group).</summary>
    public int Count { get; } = count;

    public byte* Quants(int b) => data + (long)b * quantBytes;

    public byte* Scales(int b) => data + (long)Blocks * quantBytes + (long)b * scaleBytes;
}
