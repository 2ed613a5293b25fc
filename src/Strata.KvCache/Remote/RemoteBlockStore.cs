using System.Diagnostics;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>
/// The shared remote tier: full KV blocks in a Redis-protocol store (Redis, Garnet, or a Redis Cluster), keyed by
/// their content address, so a prefix computed once anywhere in the cluster is loaded rather than recomputed.
/// Publishing is asynchronous and lossy by design; reads verify every value before using it. Nothing here throws
/// into the caller once constructed, and nothing waits longer than the operation timeout per reply: a slow, dead or
/// garbled store only turns into misses (counted in <see cref="Stats"/>). Thread-safe. Connections are opened
/// lazily, on first use; the constructor does no I/O.
/// </summary>
public sealed class RemoteBlockStore : IDisposable
{
    private readonly RemoteCounters _counters = new();
    private readonly RemoteKeyspace _keyspace;
    private readonly ClusterRouter _router;
    private readonly BlockReads _reads;
    private readonly BlockPublisher _publisher;

    /// <param name="options">Servers, timeouts and breaker settings.</param>
    /// <param name="modelFingerprint">What cached K/V depends on (model, KV format); values with another fingerprint are never used.</param>
    public RemoteBlockStore(RemoteStoreOptions options, ReadOnlySpan<byte> modelFingerprint)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
            throw new ArgumentException("the remote store needs at least one server", nameof(options));
        if (options.OperationTimeout <= TimeSpan.Zero || options.PublishTimeout <= TimeSpan.Zero || options.ConnectTimeout <= TimeSpan.Zero
            || options.BlockTtl <= TimeSpan.Zero)
            throw new ArgumentException("timeouts and the block TTL must be positive", nameof(options));
        if (options.FailuresToOpen < 1)
            throw new ArgumentException("FailuresToOpen must be at least 1", nameof(options));
        if (System.Text.Encoding.UTF8.GetByteCount(options.KeyPrefix) > 256)
            throw new ArgumentException("the key prefix must be at most 256 bytes", nameof(options));
        Options = options;
        var codec = new BlockValueCodec(modelFingerprint);
        _keyspace = new RemoteKeyspace(options.KeyPrefix);
        _router = new ClusterRouter(options, _counters);
        _reads = new BlockReads(_router, _keyspace, codec, _counters);
        _publisher = new BlockPublisher(_router, _keyspace, codec, _counters, options);
    }

    public RemoteStoreOptions Options { get; }

    public RemoteStoreStats Stats => new()
    {
        Hits = Volatile.Read(ref _counters.Hits),
        Misses = Volatile.Read(ref _counters.Misses),
        BytesRead = Volatile.Read(ref _counters.BytesRead),
        BytesWritten = Volatile.Read(ref _counters.BytesWritten),
        Reads = Volatile.Read(ref _counters.Reads),
        ReadTime = Stopwatch.GetElapsedTime(0, Volatile.Read(ref _counters.ReadTicks)),
        MaxReadTime = Stopwatch.GetElapsedTime(0, Volatile.Read(ref _counters.MaxReadTicks)),
        Published = Volatile.Read(ref _counters.Published),
        AlreadyPresent = Volatile.Read(ref _counters.AlreadyPresent),
        DroppedPublishes = Volatile.Read(ref _counters.DroppedPublishes),
        Errors = Volatile.Read(ref _counters.Errors),
        RejectedCorrupt = Volatile.Read(ref _counters.RejectedCorrupt),
        RejectedForeign = Volatile.Read(ref _counters.RejectedForeign),
        Redirects = Volatile.Read(ref _counters.Redirects),
        Breaker = _router.Nodes.Select(node => node.Breaker.State).DefaultIfEmpty(BreakerState.Closed).Max(),
        BreakerOpenings = Volatile.Read(ref _counters.BreakerOpenings),
        BreakerClosings = Volatile.Read(ref _counters.BreakerClosings),
        Servers = _router.Nodes.Count,
        IsCluster = _router.IsCluster,
    };

    /// <summary>
    /// Whether reading <paramref name="key"/> is worth trying: its server's breaker is not open. Optimistic: the
    /// store is not asked, so the block may still be missing.
    /// </summary>
    public bool IsAvailable(BlockKey key) => !_router.NodeFor(_keyspace.Slot(key)).Breaker.IsOpen;

    /// <summary>
    /// Queues a full block for publishing and returns at once; <paramref name="payload"/> is owned by the store from
    /// now on. The block is dropped (and counted) if the queue is full or its server is down.
    /// </summary>
    public void Publish(CachedBlock block, byte[] payload)
    {
        try
        {
            _publisher.Enqueue(block, payload);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _counters.Errors);
            Interlocked.Increment(ref _counters.DroppedPublishes);
        }
    }

    /// <summary>
    /// Reads one block: true only when the store holds a valid value for <paramref name="key"/> with exactly
    /// <paramref name="tokens"/> and a payload of <paramref name="payload"/>'s length, copied into it. The parent is
    /// not known here; the value's own parent and tokens must hash to the key instead.
    /// </summary>
    public bool TryRead(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return _reads.ReadOne(key, tokens, payload);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _counters.Errors);
            return false;
        }
        finally
        {
            _counters.RecordRead(Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>
    /// Reads the blocks of a prefix chain, pipelined (every GET to a server sent before its first reply is read),
    /// into <paramref name="payloads"/> (one per block, each the block's payload length). Returns how many leading
    /// blocks were loaded and verified, keys, parents and tokens included; later payloads hold unspecified bytes.
    /// </summary>
    public int TryReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<Memory<byte>> payloads, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(payloads);
        if (chain.Count != payloads.Count)
            throw new ArgumentException($"{chain.Count} blocks but {payloads.Count} payload buffers", nameof(payloads));
        if (chain.Count == 0 || cancellation.IsCancellationRequested)
            return 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            return _reads.ReadChain(chain, payloads, cancellation);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _counters.Errors);
            return 0;
        }
        finally
        {
            _counters.RecordRead(Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>Waits until the blocks published so far have been written or dropped; false on timeout.</summary>
    public bool WaitForPublishes(TimeSpan timeout) => _publisher.WaitIdle(timeout);

    /// <summary>Publishes what is queued (for up to two seconds), then closes the connections.</summary>
    public void Dispose()
    {
        _publisher.Dispose();
        _router.Dispose();
    }
}
