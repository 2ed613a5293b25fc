using System.Diagnostics;
using Strata.KvCache.Disk;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;
using Strata.Models.Kv;

namespace Strata.Engine.Caching;

/// <summary>
/// The tiers below the working pool, top to bottom: host memory, disk, the remote store. Blocks evicted from the
/// working pool move down to host memory; full blocks are written through to disk and published to the remote
/// store as they complete, in the background. A prefix that is no longer in the working pool is looked up here and
/// loaded back asynchronously, the remote part of a chain with pipelined reads.
/// </summary>
internal sealed class KvTiers : IDisposable
{
    private readonly KvBuffer _kv;
    private readonly TimeProvider _clock;
    private readonly Action _loaded;
    private readonly IBlockSource[] _local;
    private readonly Lock _counterLock = new();
    private readonly Dictionary<string, TierTraffic> _traffic = [];
    private int _prefetches;
    private double _prefetchSeconds;

    /// <param name="loaded">Called from the loading thread when a fetch completes (wakes the engine loop).</param>
    public KvTiers(KvBuffer kv, HostBlockStore? host, DiskBlockStore? disk, RemoteBlockSource? remote, TimeProvider clock, Action loaded)
    {
        _kv = kv;
        _clock = clock;
        _loaded = loaded;
        Host = host;
        Disk = disk;
        Remote = remote;
        _local = [.. host is null ? [] : new IBlockSource[] { new HostBlockSource(host) }, .. disk is null ? [] : new IBlockSource[] { new DiskBlockSource(disk) }];
    }

    public HostBlockStore? Host { get; }

    public DiskBlockStore? Disk { get; }

    public RemoteBlockSource? Remote { get; }

    /// <summary>Prefetches completed and their total latency.</summary>
    public (int Count, double Seconds) Prefetches => (_prefetches, _prefetchSeconds);

    /// <summary>Blocks and bytes each tier has loaded into the working pool, and the time spent loading them.</summary>
    public IReadOnlyDictionary<string, TierTraffic> Traffic
    {
        get
        {
            lock (_counterLock)
                return new Dictionary<string, TierTraffic>(_traffic);
        }
    }

    /// <summary>Moves a block leaving the working pool down to host memory (its contents are still intact).</summary>
    public void Demote(int block, CachedBlock entry)
    {
        if (Host is null || Host.Contains(entry.Key))
            return;
        var payload = new byte[_kv.Layout.BlockBytes];
        _kv.ReadBlock(block, payload);
        Host.Store(entry, payload);
    }

    /// <summary>Hands a newly full block to the persistent tiers, which write it in the background.</summary>
    public void WriteThrough(int block, CachedBlock entry, TimeSpan ttl)
    {
        if (Disk is null && Remote is null)
            return;
        var payload = new byte[_kv.Layout.BlockBytes];
        _kv.ReadBlock(block, payload);
        Disk?.TryEnqueueWrite(new BlockRecord(entry.Key, entry.Parent, entry.Tokens, payload, _clock.GetUtcNow() + ttl));
        Remote?.WriteThrough(entry, payload);
    }

    /// <summary>How many consecutive keys from <paramref name="first"/> some lower tier may hold (the remote store is asked lazily).</summary>
    public int CountAvailable(IReadOnlyList<BlockKey> keys, int first)
    {
        var count = 0;
        while (first + count < keys.Count && (Remote?.Contains(keys[first + count]) == true || _local.Any(s => s.Contains(keys[first + count]))))
            count++;
        return count;
    }

    /// <summary>Starts loading blocks [first, first + count) of a sequence; stops at the first block no tier can produce.</summary>
    public PrefixFetch Fetch(IReadOnlyList<BlockKey> keys, BlockKey root, int[] tokens, int first, int count, int blockSize)
    {
        var started = Stopwatch.GetTimestamp();
        var chain = Enumerable.Range(first, count)
            .Select(i => new CachedBlock(keys[i], i == 0 ? root : keys[i - 1], tokens[(i * blockSize)..((i + 1) * blockSize)]))
            .ToArray();
        var load = Task.Run(() => Load(chain));
        load.ContinueWith(_ => _loaded(), TaskScheduler.Default);
        return new PrefixFetch(first, load, started);
    }

    public void RecordPrefetch(PrefixFetch fetch)
    {
        _prefetches++;
        _prefetchSeconds += Stopwatch.GetElapsedTime(fetch.StartedTimestamp).TotalSeconds;
    }

    /// <summary>Completes when every block handed to the persistent tiers so far is durable on disk.</summary>
    public Task FlushAsync() => Disk?.FlushAsync() ?? Task.CompletedTask;

    /// <summary>Drains pending writes and closes the persistent tiers.</summary>
    public void Dispose()
    {
        Disk?.Dispose();
        Remote?.Dispose();
    }

    /// <summary>Loads a chain from the local tiers block by block; the rest of it, once they miss, from the remote store in one pipelined read.</summary>
    private IReadOnlyList<LoadedBlock> Load(CachedBlock[] chain)
    {
        var loaded = new List<LoadedBlock>();
        foreach (var block in chain)
        {
            var clock = Stopwatch.GetTimestamp();
            var payload = new byte[_kv.Layout.BlockBytes];
            var source = _local.FirstOrDefault(s => s.Contains(block.Key) && s.TryRead(block.Key, block.Tokens, payload));
            if (source is null)
                break;
            Count(source.Name, 1, payload.Length, Stopwatch.GetElapsedTime(clock));
            loaded.Add(new LoadedBlock(block, payload, source.Name));
        }
        if (Remote is null || loaded.Count == chain.Length)
            return loaded;

        var start = Stopwatch.GetTimestamp();
        var rest = chain[loaded.Count..];
        var payloads = rest.Select(_ => new byte[_kv.Layout.BlockBytes]).ToArray();
        var fromRemote = Remote.Store.TryReadChain(rest, payloads.Select(p => (Memory<byte>)p).ToArray(), CancellationToken.None);
        Count(Remote.Name, fromRemote, (long)fromRemote * _kv.Layout.BlockBytes, Stopwatch.GetElapsedTime(start));
        for (var i = 0; i < fromRemote; i++)
            loaded.Add(new LoadedBlock(rest[i], payloads[i], Remote.Name));
        return loaded;
    }

    private void Count(string tier, int blocks, long bytes, TimeSpan elapsed)
    {
        if (blocks == 0)
            return;
        lock (_counterLock)
        {
            var traffic = _traffic.GetValueOrDefault(tier);
            _traffic[tier] = new TierTraffic(traffic.Blocks + blocks, traffic.Bytes + bytes, traffic.Seconds + elapsed.TotalSeconds);
        }
    }
}
