namespace Strata.KvCache.Prefix;

/// <summary>Extends a sequence's chain of block keys as its blocks fill up.</summary>
public static class PrefixHasher
{
    /// <summary>Appends keys to <paramref name="keys"/> until it covers <paramref name="fullBlocks"/> blocks of <paramref name="tokens"/>.</summary>
    public static void Extend(List<BlockKey> keys, BlockKey root, ReadOnlySpan<int> tokens, int blockSize, int fullBlocks)
    {
        for (var i = keys.Count; i < fullBlocks; i++)
            keys.Add(BlockKey.Chain(i == 0 ? root : keys[i - 1], tokens.Slice(i * blockSize, blockSize)));
    }
}
