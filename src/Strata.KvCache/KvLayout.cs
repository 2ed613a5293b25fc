namespace Strata.KvCache;

/// <summary>
/// Shape of the paged KV memory and of a block's payload as the tiers move it: for each layer, keys then values, each
/// [KvHeadCount, BlockSize, HeadDim] elements of <see cref="DataType"/>.
/// </summary>
public sealed record KvLayout(int LayerCount, int KvHeadCount, int HeadDim, int BlockSize, KvDataType DataType)
{
    public int ElementBytes => DataType == KvDataType.F16 ? 2 : 4;

    /// <summary>Elements of K (or V) in one block of one layer: [KvHeadCount, BlockSize, HeadDim].</summary>
    public int BlockElements => KvHeadCount * BlockSize * HeadDim;

    /// <summary>Bytes of K (or V) in one block of one layer.</summary>
    public int BlockBytesPerLayer => BlockElements * ElementBytes;

    /// <summary>Bytes of one block across all layers, K and V.</summary>
    public long BlockBytes => 2L * LayerCount * BlockBytesPerLayer;
}
