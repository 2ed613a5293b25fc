using Strata.KvCache.Disk;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>The disk tier: every full block is written through in the background; a chain is read block by block.</summary>
internal sealed class DiskTier(DiskBlockStore store) : IKvTier
{
    public string Name => "disk";

    public TierWrites Writes => TierWrites.WriteThrough;

    public bool Contains(BlockKey key) => store.Contains(key);

    public int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads)
    {
        var read = 0;
        while (read < chain.Count && store.Contains(chain[read].Key) && TryRead(chain[read], payloads[read]))
            read++;
        return read;
    }

    public void Store(CachedBlock block, byte[] payload, DateTimeOffset expires) =>
        store.TryEnqueueWrite(new BlockRecord(block.Key, block.Parent, block.Tokens.ToArray(), payload, expires));

    public Task FlushAsync() => store.FlushAsync();

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
                Name = Name, Blocks = s.Blocks, Bytes = s.LiveBytes, Hits = s.Hits, Misses = s.Misses, BytesWritten = s.BytesWritten, Evictions = s.Evictions,
                Details =
                [
                    new("compactions_total", "Disk tier compactions.", s.Compactions),
                    new("expired_total", "Disk tier blocks removed by their TTL.", s.Expirations),
                    new("corrupt_total", "Damaged disk records dropped, never served.", s.CorruptRecordsDropped),
                ],
            };
        }
    }

    /// <summary>Drains pending writes and closes the store.</summary>
    public void Dispose() => store.Dispose();

    /// <summary>A record whose tokens or size do not match is a miss.</summary>
    private bool TryRead(CachedBlock block, byte[] payload)
    {
        if (!store.TryRead(block.Key, out var record) || !record.Tokens.AsSpan().SequenceEqual(block.Tokens.Span) || record.Payload.Length != payload.Length)
            return false;
        record.Payload.Span.CopyTo(payload);
        return true;
    }
}
