using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

namespace Strata.Engine.Caching;

/// <summary>
/// The shared remote store as a block source, and the write-through target for full blocks. <see cref="Contains"/>
/// answers without asking the store (true unless the key's server is known to be down), so a lookup costs nothing;
/// <see cref="TryRead"/> pays one round trip bounded by the store's operation timeout, and verifies the value.
/// </summary>
internal sealed class RemoteBlockSource(RemoteBlockStore store) : IBlockSource, IDisposable
{
    public string Name => "remote";

    public RemoteBlockStore Store => store;

    /// <summary>
    /// The remote tier configured by <paramref name="url"/> (<c>redis://host:port[,host:port…]</c>), or null when
    /// the URL is empty (no remote tier). Throws <see cref="ArgumentException"/> for a malformed URL. Does no I/O:
    /// the store is connected on first use, so an unreachable store never delays start-up.
    /// </summary>
    public static RemoteBlockSource? FromUrl(string? url, ReadOnlySpan<byte> cacheFingerprint, TimeSpan blockTtl, Action<string> log)
    {
        if (string.IsNullOrWhiteSpace(url))
            return null;
        var options = RemoteStoreOptions.Parse(url) with { BlockTtl = blockTtl, Log = log };
        return new RemoteBlockSource(new RemoteBlockStore(options, cacheFingerprint));
    }

    public bool Contains(BlockKey key) => store.IsAvailable(key);

    public bool TryRead(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload) => store.TryRead(key, tokens, payload);

    /// <summary>Queues a newly full block for publishing (the <see cref="KvTiers"/> write-through callback); never blocks.</summary>
    public void WriteThrough(CachedBlock block, byte[] payload) => store.Publish(block, payload);

    public void Dispose() => store.Dispose();
}
