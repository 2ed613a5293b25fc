using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// The tiers below the working pool as one ordered list, top (closest) first. Blocks the pool evicts are offered to the
/// tiers that keep evictions, full blocks to the write-through tiers as soon as they are registered. A chain no longer in
/// the pool is loaded asynchronously on the load scheduler: the first tier that may hold the next block reads as much of
/// the rest of the chain as it has, and after any progress the walk starts again from the top, until no tier can
/// continue. Loads and stats may run on any thread; everything else belongs to the engine loop.
/// </summary>
internal sealed class KvTierList : IDisposable
{
    private readonly IKvTier[] _tiers;
    private readonly IBlockMemory _memory;
    private readonly TimeProvider _clock;
    private readonly TaskFactory _loads;
    private readonly Action _loaded;
    private readonly Action<KvEvent>? _events;
    private readonly Lock _counterLock = new();
    private readonly Dictionary<string, (long Blocks, long Bytes, double Seconds)> _traffic = [];

    /// <param name="loads">Where chain reads run: the thread pool in a server, a hand-driven scheduler in tests.</param>
    /// <param name="loaded">Called on the loading thread when a load completes (wakes the engine loop).</param>
    /// <param name="events">Told, on the engine thread, of every block handed to a tier.</param>
    public KvTierList(IEnumerable<IKvTier> tiers, IBlockMemory memory, TimeProvider clock, TaskScheduler loads, Action loaded, Action<KvEvent>? events = null)
    {
        _tiers = [.. tiers];
        _memory = memory;
        _clock = clock;
        _loads = new TaskFactory(loads);
        _loaded = loaded;
        _events = events;
    }

    public IReadOnlyList<IKvTier> Tiers => _tiers;

    public bool IsEmpty => _tiers.Length == 0;

    /// <summary>Prefetches completed and their total latency, from admission to blocks in memory.</summary>
    public int Prefetches { get; private set; }

    public double PrefetchSeconds { get; private set; }

    private int BlockBytes => (int)_memory.Layout.BlockBytes;

    /// <summary>Each tier's own counters and what it has loaded into the working pool.</summary>
    public IReadOnlyList<TierStats> Stats
    {
        get
        {
            lock (_counterLock)
            {
                return _tiers.Select(t =>
                {
                    var traffic = _traffic.GetValueOrDefault(t.Name);
                    return t.Stats with { LoadedBlocks = traffic.Blocks, LoadedBytes = traffic.Bytes, LoadSeconds = traffic.Seconds };
                }).ToArray();
            }
        }
    }

    /// <summary>Offers blocks the working pool evicted (their contents still intact) to the tiers that keep evictions.</summary>
    public void Demote(IReadOnlyList<EvictedBlock> evicted)
    {
        foreach (var (block, entry) in evicted)
        {
            byte[]? payload = null;
            foreach (var tier in _tiers)
            {
                if (tier.Writes != TierWrites.OnEviction || tier.Contains(entry.Key))
                    continue;
                payload ??= ReadBlock(block);
                tier.Store(entry, payload, DateTimeOffset.MaxValue);
                _events?.Invoke(new KvEvent(KvEventKind.Stored, entry.Key, tier.Name));
            }
        }
    }

    /// <summary>Hands a newly full block to the write-through tiers, which write it in the background.</summary>
    public void WriteThrough(int block, CachedBlock entry, TimeSpan ttl)
    {
        byte[]? payload = null;
        foreach (var tier in _tiers)
        {
            if (tier.Writes != TierWrites.WriteThrough)
                continue;
            payload ??= ReadBlock(block);
            tier.Store(entry, payload, _clock.GetUtcNow() + ttl);
            _events?.Invoke(new KvEvent(KvEventKind.Stored, entry.Key, tier.Name));
        }
    }

    /// <summary>How many consecutive keys from <paramref name="first"/> some tier may hold.</summary>
    public int CountAvailable(IReadOnlyList<BlockKey> keys, int first)
    {
        var count = 0;
        while (first + count < keys.Count && Array.Exists(_tiers, t => t.Contains(keys[first + count])))
            count++;
        return count;
    }

    /// <summary>Starts loading blocks [first, first + count) of a sequence; the load stops at the first block no tier can produce.</summary>
    public PrefixFetch Fetch(IReadOnlyList<BlockKey> keys, BlockKey root, ReadOnlySpan<int> tokens, int first, int count, int blockSize)
    {
        var chain = new CachedBlock[count];
        for (var i = 0; i < count; i++)
        {
            var index = first + i;
            chain[i] = new CachedBlock(keys[index], index == 0 ? root : keys[index - 1], tokens.Slice(index * blockSize, blockSize).ToArray());
        }
        var started = _clock.GetTimestamp();
        var load = _loads.StartNew(() => Load(chain));
        load.ContinueWith(_ => _loaded(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new PrefixFetch(first, load, started);
    }

    public void RecordPrefetch(PrefixFetch fetch)
    {
        Prefetches++;
        PrefetchSeconds += _clock.GetElapsedTime(fetch.Started).TotalSeconds;
    }

    /// <summary>Completes when every block handed to the durable tiers so far is durable.</summary>
    public Task FlushAsync() => Task.WhenAll(_tiers.Select(t => t.FlushAsync()));

    /// <summary>Empties the tiers private to this engine (host memory); shared and durable ones keep their blocks.</summary>
    public void ClearPrivate()
    {
        foreach (var tier in _tiers)
            tier.ClearPrivate();
    }

    /// <summary>Drains pending writes and closes the tiers.</summary>
    public void Dispose()
    {
        foreach (var tier in _tiers)
            tier.Dispose();
    }

    private byte[] ReadBlock(int block)
    {
        var payload = new byte[BlockBytes];
        _memory.ReadBlock(block, payload);
        return payload;
    }

    private IReadOnlyList<LoadedBlock> Load(CachedBlock[] chain)
    {
        var payloads = chain.Select(_ => new byte[BlockBytes]).ToArray();
        var loaded = new List<LoadedBlock>();
        while (loaded.Count < chain.Length && ReadFromFirstHolder(chain, payloads, loaded) > 0)
        {
        }
        return loaded;
    }

    /// <summary>Continues the chain from the first tier that may hold its next block; returns how many blocks it read.</summary>
    private int ReadFromFirstHolder(CachedBlock[] chain, byte[][] payloads, List<LoadedBlock> loaded)
    {
        var next = loaded.Count;
        foreach (var tier in _tiers)
        {
            if (!tier.Contains(chain[next].Key))
                continue;
            var started = _clock.GetTimestamp();
            var read = tier.ReadChain(new ArraySegment<CachedBlock>(chain, next, chain.Length - next), new ArraySegment<byte[]>(payloads, next, chain.Length - next));
            Count(tier.Name, read, _clock.GetElapsedTime(started));
            for (var i = next; i < next + read; i++)
                loaded.Add(new LoadedBlock(chain[i], payloads[i], tier.Name));
            if (read > 0)
                return read;
        }
        return 0;
    }

    private void Count(string tier, int blocks, TimeSpan elapsed)
    {
        if (blocks == 0)
            return;
        lock (_counterLock)
        {
            var traffic = _traffic.GetValueOrDefault(tier);
            _traffic[tier] = (traffic.Blocks + blocks, traffic.Bytes + (long)blocks * BlockBytes, traffic.Seconds + elapsed.TotalSeconds);
        }
    }
}
