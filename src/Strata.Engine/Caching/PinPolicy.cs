using Strata.KvCache;

namespace Strata.Engine.Caching;

/// <summary>
/// The limits on what requests may ask of the cache: pins hold at most a share of the pool, and no request keeps its
/// blocks (pinned, or in the persistent tiers) longer than the longest allowed time.
/// </summary>
internal sealed class PinPolicy(int maxPinnedBlocks, TimeSpan defaultTtl, TimeSpan maxTtl, TimeProvider clock)
{
    public void Pin(BlockManager blocks, int block, TimeSpan? requested)
    {
        if (blocks.PinnedBlocks >= maxPinnedBlocks)
            return;
        blocks.Pin(block, clock.GetUtcNow() + TtlFor(requested));
    }

    /// <summary>The time a request's blocks are kept: what it asked for, within the limit, or the default.</summary>
    public TimeSpan TtlFor(TimeSpan? requested)
    {
        var ttl = requested ?? defaultTtl;
        return ttl < maxTtl ? ttl : maxTtl;
    }

    public void ExpireDue(BlockManager blocks) => blocks.ExpirePins(clock.GetUtcNow());
}
