using System.Diagnostics;
using Strata.KvCache.Disk;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;
using Strata.Models.Kv;

namespace Strata.Engine.Caching;

/// <summary>
/// The tiers below the working pool, top to bottom (host memory, then disk, then the remote store). Blocks evicted
/// from the working pool move down to host memory; full blocks are written through to the persistent tiers as they
/// complete. A prefix that is no longer in the working pool is looked up here and loaded back asynchronously.
/// </summary>
internal sealed class KvTiers(KvBuffer kv, HostBlockStore? host, DiskBlockStore? disk, TimeProvider clock) : IDisposable
{
    private readonly IReadOnlyList<IBlockSource> _sources =
        [.. host is null ? [] : new IBlockSource[] { new HostBlockSource(host) }, .. disk is null ? [] : new IBlockSource[] { new DiskBlockSource(disk) }];
    private int _prefetches;
    private double _prefetchSeconds;

    public bool IsEmpty => _sources.Count == 0;

    public HostBlockStore? Host => host;

    public DiskBlockStore? Disk => disk;

    /// <summary>Prefetches completed and their mean latency.</summary>
    public (int Count, double MeanSeconds) PrefetchLatency => (_prefetches, _prefetches == 0 ? 0 : _prefetchSeconds / _prefetches);

    /// <summary>Moves a block leaving the working pool down to host memory (its contents are still intact).</summary>
    public void Demote(int block, CachedBlock entry)
    {
        if (host is null || host.Contains(entry.Key))
            return;
        var payload = new byte[kv.Layout.BlockBytes];
        kv.ReadBlock(block, payload);
        host.Store(entry, payload);
    }

    /// <summary>Hands a newly full block to the persistent tiers, which write it in the background.</summary>
    public void WriteThrough(int block, CachedBlock entry, TimeSpan ttl)
    {
        if (disk is null)
            return;
        var payload = new byte[kv.Layout.BlockBytes];
        kv.ReadBlock(block, payload);
        disk.TryEnqueueWrite(new BlockRecord(entry.Key, entry.Parent, entry.Tokens, payload, clock.GetUtcNow() + ttl));
    }

    /// <summary>Completes when every block handed to the persistent tiers so far is durable.</summary>
    public Task FlushAsync() => disk?.FlushAsync() ?? Task.CompletedTask;

    /// <summary>Drains pending writes and closes the persistent tiers.</summary>
    public void Dispose() => disk?.Dispose();

    /// <summary>How many consecutive keys from <paramref name="first"/> some lower tier claims to hold.</summary>
    public int CountAvailable(IReadOnlyList<BlockKey> keys, int first)
    {
        var count = 0;
        while (first + count < keys.Count && _sources.Any(s => s.Contains(keys[first + count])))
            count++;
        return count;
    }

    /// <summary>Starts loading blocks [first, first + count) of a sequence; stops at the first block no tier can produce.</summary>
    public PrefixFetch Fetch(IReadOnlyList<BlockKey> keys, BlockKey root, int[] tokens, int first, int count, int blockSize)
    {
        var started = Stopwatch.GetTimestamp();
        var load = Task.Run<IReadOnlyList<LoadedBlock>>(() =>
        {
            var loaded = new List<LoadedBlock>();
            for (var i = first; i < first + count; i++)
            {
                var key = keys[i];
                var blockTokens = tokens[(i * blockSize)..((i + 1) * blockSize)];
                var payload = new byte[kv.Layout.BlockBytes];
                var source = _sources.FirstOrDefault(s => s.Contains(key) && s.TryRead(key, blockTokens, payload));
                if (source is null)
                    break;
                loaded.Add(new LoadedBlock(new CachedBlock(key, i == 0 ? root : keys[i - 1], blockTokens), payload, source.Name));
            }
            return loaded;
        });
        return new PrefixFetch(first, load, started);
    }

    public void RecordPrefetch(PrefixFetch fetch)
    {
        _prefetches++;
        _prefetchSeconds += Stopwatch.GetElapsedTime(fetch.StartedTimestamp).TotalSeconds;
    }
}
