using Strata.KvCache.Host;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>Host memory as a tier: it keeps what the working pool evicts and reads a chain block by block.</summary>
internal sealed class HostTier(HostBlockStore store) : IKvTier
{
    public string Name => "host";

    public TierWrites Writes => TierWrites.OnEviction;

    public bool Contains(BlockKey key) => store.Contains(key);

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads)
    {
        var read = 0;
        // Probing first keeps a block the tier never had out of its miss count.
        while (read < chain.Count && store.Contains(chain[read].Key) && store.TryRead(chain[read].Key, chain[read].Tokens.Span, payloads[read], out _))
            read++;
        return read;
    }

    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires) => store.Store(block, payload);

    public Task FlushAsync() => Task.CompletedTask;

    public void ClearPrivate() => store.Clear();

    public TierStats Stats
    {
        get
        {
            var s = store.Stats;
            return new TierStats
            {
                Name = Name, Blocks = s.Blocks, Bytes = s.Bytes, Hits = s.Hits, Misses = s.Misses, BytesWritten = s.BytesWritten, Evictions = s.Evictions,
            };
        }
    }

    public void Dispose()
    {
    }
}
