namespace Strata.KvCache.Host;

/// <summary>
/// How a block payload is laid out: for each layer, keys then values, each [kvHeads, blockSize, headDim] elements of
/// <see cref="ElementBytes"/> bytes (the layout of the working pool's blocks); with <see cref="KeysOnly"/>, the keys
/// alone (a latent-attention cache, whose one tensor per layer serves as both).
/// </summary>
public sealed record KvBlockShape(int Layers, int KvHeads, int BlockSize, int HeadDim, int ElementBytes, bool KeysOnly = false)
{
    public int ValuesPerTensor => KvHeads * BlockSize * HeadDim;

    public int TensorsPerLayer => KeysOnly ? 1 : 2;

    public int PayloadBytes => TensorsPerLayer * Layers * ValuesPerTensor * ElementBytes;
}
