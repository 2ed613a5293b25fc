namespace Strata.KvCache;

/// <summary>
/// Shape of the paged KV memory and of a block's payload as the tiers move it: for each layer, keys then values, each
/// [KvHeadCount, BlockSize, HeadDim] elements of <see cref="DataType"/>. With <see cref="KeysOnly"/> a block holds one
/// tensor per layer whose rows serve as keys and, in part, as values: multi-head latent attention caches one
/// compressed latent (plus a rotary key) per token, from which every head's keys and values are derived.
/// </summary>
public sealed record KvLayout(int LayerCount, int KvHeadCount, int HeadDim, int BlockSize, KvDataType DataType, bool KeysOnly = false)
{
    public int ElementBytes => DataType == KvDataType.F16 ? 2 : 4;

    /// <summary>Tensors per layer in a block: K and V, or the keys alone.</summary>
    public int TensorsPerLayer => KeysOnly ? 1 : 2;

    /// <summary>Elements of K (or V) in one block of one layer: [KvHeadCount, BlockSize, HeadDim].</summary>
    public int BlockElements => KvHeadCount * BlockSize * HeadDim;

    /// <summary>Bytes of K (or V) in one block of one layer.</summary>
    public int BlockBytesPerLayer => BlockElements * ElementBytes;

    /// <summary>Bytes of one block across all layers, K and V (or the keys alone).</summary>
    public long BlockBytes => (long)TensorsPerLayer * LayerCount * BlockBytesPerLayer;

    /// <summary>Bytes one token position takes in the cache, across all layers.</summary>
    public long BytesPerToken => (long)TensorsPerLayer * LayerCount * KvHeadCount * HeadDim * ElementBytes;
}
