using Strata.Engine;
using Strata.Engine.Caching;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;

namespace Strata.Simulation.Tiers;

/// <summary>
/// A simulated node's disk tier: written through as every block fills, like the engine's <see cref="DiskTier"/>, and
/// bounded by its size, oldest use out first. The real disk store writes files on a background thread and compacts
/// segments in wall time, which a virtual-time simulation cannot run, so its capacity rule is stood in for by the host
/// tier's LRU store; unlike host memory it is not emptied with the node's private tiers.
/// </summary>
internal sealed class SimDiskTier(HostBlockStore store) : IKvTier
{
    private readonly HostTier _lru = new(store);

    public string Name => "disk";

    public TierWrites Writes => TierWrites.WriteThrough;

    public bool Contains(BlockKey key) => _lru.Contains(key);

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads) => _lru.ReadChain(chain, payloads);

    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires) => _lru.Store(block, payload, expires);

    public Task FlushAsync() => Task.CompletedTask;

    public void ClearPrivate()
    {
    }

    public TierStats Stats => _lru.Stats with { Name = Name };

    public void Dispose() => _lru.Dispose();
}
