using Strata.Engine;
using Strata.Engine.Caching;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;

namespace Strata.Simulation.Tiers;

/// <summary>
/// A simulated node's disk tier: written through as every block fills, like the engine's <see cref="DiskTier"/>, and
/// bounded by its size, oldest use out first. The real disk store writes files on a background thread and compacts
/// segments in wall time, which a virtual-time simulation cannot run, so its capacity rule is stood in for by an LRU
/// block store (the host tier's).
/// </summary>
internal sealed class SimDiskTier(HostBlockStore store) : IKvTier
{
    public string Name => "disk";

    public TierWrites Writes => TierWrites.WriteThrough;

    public bool Contains(BlockKey key) => store.Contains(key);

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads)
    {
        var read = 0;
        while (read < chain.Count && store.Contains(chain[read].Key) && store.TryRead(chain[read].Key, chain[read].Tokens, payloads[read], out _))
            read++;
        return read;
    }

    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires) => store.Store(block, payload);

    public Task FlushAsync() => Task.CompletedTask;

    public void ClearPrivate()
    {
    }

    public TierStats Stats
    {
        get
        {
            var s = store.Stats;
            return new TierStats { Name = Name, Blocks = s.Blocks, Bytes = s.Bytes, Hits = s.Hits, Misses = s.Misses, Evictions = s.Evictions };
        }
    }

    public void Dispose()
    {
    }
}
