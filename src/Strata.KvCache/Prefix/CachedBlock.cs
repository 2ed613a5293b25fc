namespace Strata.KvCache.Prefix;

/// <summary>What the cache knows about a full block's contents: its key, its parent's key and its tokens (to verify a hit).</summary>
public sealed record CachedBlock(BlockKey Key, BlockKey Parent, int[] Tokens);
