using Strata.KvCache;

namespace Strata.Engine.Scheduling;

/// <summary>The limits on requests that pin their prompt blocks: a share of the pool, and a longest time.</summary>
internal sealed class PinPolicy(int maxPinnedBlocks, TimeSpan defaultTtl, TimeSpan maxTtl, TimeProvider clock)
{
    public void Pin(BlockManager blocks, int block, TimeSpan? requested)
    {
        if (blocks.PinnedBlocks >= maxPinnedBlocks)
            return;
        var ttl = requested ?? defaultTtl;
        blocks.Pin(block, clock.GetUtcNow() + (ttl < maxTtl ? ttl : maxTtl));
    }

    public void ExpireDue(BlockManager blocks) => blocks.ExpirePins(clock.GetUtcNow());
}
