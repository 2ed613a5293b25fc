namespace Strata.KvCache.Prefix;

/// <summary>
/// What the cache knows about a full block's contents: its key, its parent's key and its tokens (to verify a hit). The
/// tokens may be a slice of a longer array (the sequence's own, shared rather than copied); they must never change.
/// </summary>
public sealed record CachedBlock(BlockKey Key, BlockKey Parent, ReadOnlyMemory<int> Tokens);
