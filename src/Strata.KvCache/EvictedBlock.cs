using Strata.KvCache.Prefix;

namespace Strata.KvCache;

/// <summary>A cached block the working pool just gave up for reuse; its contents stay intact until the next forward pass.</summary>
public readonly record struct EvictedBlock(int Block, CachedBlock Entry);
