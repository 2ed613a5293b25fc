using Strata.Engine;
using Strata.Engine.Caching;
using Strata.KvCache.Host;

namespace Strata.Simulation.Tiers;

/// <summary>
/// The tiers below a simulated node's working pool, top first as the engine opens them: a peer tier for hand-offs
/// (decode nodes of a disaggregated cluster), host memory (the engine's own LRU tier) and disk, sized in blocks. Loads
/// run inline (<see cref="InlineTaskScheduler"/>); the step that attaches their blocks pays the cost law's block loads.
/// </summary>
internal static class SimTiers
{
    /// <returns>Null when the node has no tier (the core then plans decode runs).</returns>
    public static KvTierList? Open(NodeSettings settings, int blockSize, bool receivesHandoffs, VirtualClock clock, Action<KvEvent>? kvEvents, out PeerTier? peer)
    {
        peer = null;
        if (!settings.PrefixCaching || (!receivesHandoffs && settings.HostBlocks == 0 && settings.DiskBlocks == 0))
            return null;
        var memory = new SimBlockMemory(blockSize);
        var blockBytes = memory.Layout.BlockBytes;
        var tiers = new List<IKvTier>();
        if (receivesHandoffs)
            tiers.Add(peer = new PeerTier((int)blockBytes));
        if (settings.HostBlocks > 0)
            tiers.Add(new HostTier(new HostBlockStore(settings.HostBlocks * blockBytes, memory.Layout, int8: false)));
        if (settings.DiskBlocks > 0)
            tiers.Add(new SimDiskTier(new HostBlockStore(settings.DiskBlocks * blockBytes, memory.Layout, int8: false)));
        return new KvTierList(tiers, memory, clock, InlineTaskScheduler.Instance, () => { }, kvEvents);
    }
}
