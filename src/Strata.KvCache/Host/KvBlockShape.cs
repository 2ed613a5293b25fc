namespace Strata.KvCache.Host;

/// <summary>
/// How a block payload is laid out: for each layer, keys then values, each [kvHeads, blockSize, headDim] elements of
/// <see cref="ElementBytes"/> bytes (the layout of the working pool's blocks).
/// </summary>
public sealed record KvBlockShape(int Layers, int KvHeads, int BlockSize, int HeadDim, int ElementBytes)
{
    public int ValuesPerTensor => KvHeads * BlockSize * HeadDim;

    public int PayloadBytes => 2 * Layers * ValuesPerTensor * ElementBytes;
}
