using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

namespace Strata.Engine.Caching;

/// <summary>
/// The shared remote store as a tier: full blocks are published as they complete, and a chain is read in one pipelined
/// request. <see cref="Contains"/> answers without asking the store (true unless the key's server is known to be down),
/// so a lookup costs nothing; a read pays round trips bounded by the store's timeouts and verifies every value.
/// </summary>
internal sealed class RemoteTier(RemoteBlockStore store) : IKvTier
{
    public string Name => "remote";

    public TierWrites Writes => TierWrites.WriteThrough;

    public RemoteBlockStore BlockStore => store;

    /// <summary>
    /// The remote tier configured by <paramref name="url"/> (<c>redis://host:port[,host:port…]</c>), or null when
    /// the URL is empty (no remote tier). Throws <see cref="ArgumentException"/> for a malformed URL. Does no I/O:
    /// the store is connected on first use, so an unreachable store never delays start-up.
    /// </summary>
    public static RemoteTier? FromUrl(string? url, ReadOnlySpan<byte> cacheFingerprint, TimeSpan blockTtl, TimeSpan timeout, Action<string> log)
    {
        if (string.IsNullOrWhiteSpace(url))
            return null;
        var options = RemoteStoreOptions.Parse(url) with { BlockTtl = blockTtl, OperationTimeout = timeout, ConnectTimeout = timeout, Log = log };
        return new RemoteTier(new RemoteBlockStore(options, cacheFingerprint));
    }

    public bool Contains(BlockKey key) => store.IsAvailable(key);

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads) =>
        store.TryReadChain(chain, payloads.Select(p => (Memory<byte>)p).ToArray());

    /// <summary>Queues the block for publishing; the store keeps it for its own TTL.</summary>
    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires) => store.Publish(block, payload);

    public Task FlushAsync() => Task.CompletedTask;

    public void ClearPrivate()
    {
    }

    public TierStats Stats
    {
        get
        {
            var s = store.Stats;
            return new TierStats
            {
                Name = Name, Hits = s.Hits, Misses = s.Misses, BytesWritten = s.BytesWritten,
                Details =
                [
                    new("published_total", "Blocks the remote store accepted from this node.", s.Published),
                    new("errors_total", "Remote store operations that failed.", s.Errors),
                    new("rejected_total", "Remote values ignored as corrupt or from another model.", s.RejectedCorrupt + s.RejectedForeign),
                    new("dropped_publishes_total", "Blocks not published (queue full or store down).", s.DroppedPublishes),
                    new("read_seconds_total", "Time spent reading from the remote store.", s.ReadTime.TotalSeconds),
                    new("breaker_open", "1 while the circuit breaker keeps the node off the remote store.", s.Breaker == BreakerState.Closed ? 0 : 1, IsGauge: true),
                ],
            };
        }
    }

    public void Dispose() => store.Dispose();
}
