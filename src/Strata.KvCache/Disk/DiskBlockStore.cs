using System.Diagnostics.CodeAnalysis;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// The disk tier of the KV cache: a crash-safe, append-only store of immutable block records keyed by
/// <see cref="BlockKey"/>. Writes are queued and appended by a background writer; reads verify every record's
/// checksum; a size cap evicts the least recently used blocks, a TTL retires old ones, and background compaction
/// reclaims the space both leave behind. Every member is safe to call from any thread.
/// </summary>
/// <remarks>
/// Evicted blocks are dropped from the index at once, but their bytes stay on disk until compaction; if the process
/// dies before then, such a block can reappear after the restart. It is still a correct block for its key.
/// </remarks>
public sealed class DiskBlockStore : IDisposable
{
    private const int ReadAttempts = 2;

    private readonly DiskStoreOptions _options;
    private readonly StoreDirectory _directory;
    private readonly StoreCatalog _catalog;
    private readonly StoreCounters _counters;
    private readonly Compactor _compactor;
    private readonly BackgroundWriter _writer;
    private readonly Lock _maintenanceGate = new();
    private readonly ITimer? _maintenanceTimer;
    private volatile bool _disposed;

    private DiskBlockStore(DiskStoreOptions options)
    {
        _options = options;
        _directory = new StoreDirectory(Path.GetFullPath(options.Directory));
        Directory.CreateDirectory(_directory.Path);
        _counters = new StoreCounters();
        _catalog = new StoreCatalog(options.MaxBytes, options.SegmentBytes, _counters);
        var nextSequence = StoreRecovery.Recover(_directory, _catalog, _counters, options.Clock.GetUtcNow());
        _compactor = new Compactor(_directory, _catalog, _counters, options.SegmentBytes);
        var background = options.MaintenanceInterval != Timeout.InfiniteTimeSpan;
        _writer = new BackgroundWriter(
            _directory, _catalog, _counters, options, nextSequence,
            segmentSealed: background ? () => ThreadPool.QueueUserWorkItem(_ => RunMaintenance()) : () => { });
        if (background)
        {
            _maintenanceTimer = options.Clock.CreateTimer(
                _ => RunMaintenance(), state: null, options.MaintenanceInterval, options.MaintenanceInterval);
        }
    }

    /// <summary>A snapshot of the store's contents and counters.</summary>
    public DiskStoreStats Stats => _catalog.Describe();

    /// <summary>
    /// Opens (or creates) the store in <see cref="DiskStoreOptions.Directory"/> and rebuilds its index from the
    /// segment files; torn or corrupt records are dropped and counted, never served.
    /// </summary>
    public static DiskBlockStore Open(DiskStoreOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SegmentBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxPendingWrites);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.DefaultTtl, TimeSpan.Zero);
        if (options.MaintenanceInterval <= TimeSpan.Zero && options.MaintenanceInterval != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(options), "MaintenanceInterval must be positive or infinite.");
        return new DiskBlockStore(options);
    }

    /// <summary>Whether a live block is indexed under <paramref name="key"/>; an index lookup only, no I/O.</summary>
    public bool Contains(BlockKey key) => _catalog.Contains(key, _options.Clock.GetUtcNow());

    /// <summary>
    /// Queues a block to be written and returns at once. False (and counted) when the queue is full, the record is
    /// larger than the store or the store is closed: the caller never waits for the disk. The store takes over
    /// <see cref="BlockRecord.Tokens"/> and <see cref="BlockRecord.Payload"/>; they must not change afterwards.
    /// A queued block is visible to <see cref="Contains"/> and <see cref="TryRead"/> once written, and durable
    /// after the next <see cref="FlushAsync"/>.
    /// </summary>
    public bool TryEnqueueWrite(BlockRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Tokens.Length > RecordCodec.MaxTokens || record.Payload.Length > RecordCodec.MaxPayloadBytes
            || RecordCodec.RecordLength(record.Tokens.Length, record.Payload.Length) > _options.MaxBytes)
        {
            Interlocked.Increment(ref _counters.DroppedWrites);
            return false;
        }
        var expiring = record.ExpiresAt is null
            ? record with { ExpiresAt = _options.Clock.GetUtcNow() + _options.DefaultTtl }
            : record;
        return _writer.TryEnqueue(expiring);
    }

    /// <summary>
    /// Reads a block. Its checksums are verified: a corrupt record is dropped from the index and counted, never
    /// returned. A read racing compaction gets the right bytes or a miss.
    /// </summary>
    public bool TryRead(BlockKey key, [NotNullWhen(true)] out BlockRecord? record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        record = null;
        RecordLocation? previous = null;
        for (var attempt = 0; attempt < ReadAttempts && _catalog.TryLocate(key, _options.Clock.GetUtcNow(), out var at); attempt++)
        {
            var outcome = ReadRecord(key, at, out record);
            if (record is not null)
            {
                Interlocked.Increment(ref _counters.Hits);
                Interlocked.Add(ref _counters.BytesRead, at.Length);
                return true;
            }
            // A vanished segment usually means compaction moved the record: look it up again. Gone from the same
            // place twice, or unreadable, it is dropped.
            if (outcome == ReadOutcome.Corrupt || previous == at)
            {
                _catalog.DropCorrupt(key, at);
                break;
            }
            previous = at;
        }
        Interlocked.Increment(ref _counters.Misses);
        return false;
    }

    /// <summary>Completes when every write queued before the call is durable (fsync'd); faults if one was lost to an I/O error.</summary>
    public Task FlushAsync() => _writer.FlushAsync();

    /// <summary>Removes every block whose time to live has passed from the index (compaction reclaims their space).</summary>
    public void CollectExpired()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _catalog.RemoveExpired(_options.Clock.GetUtcNow());
    }

    /// <summary>
    /// Rewrites the mostly-dead segments (and, while over the size cap, any with dead space; and small ones, merged)
    /// into new ones.
    /// </summary>
    public void Compact()
    {
        lock (_maintenanceGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _compactor.Run();
        }
    }

    /// <summary>Stops background work, writes and syncs every queued block, then closes the store.</summary>
    public void Dispose()
    {
        lock (_maintenanceGate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _maintenanceTimer?.Dispose();
        _writer.Dispose();
    }

    internal void CheckIntegrity() => _catalog.CheckIntegrity();

    private enum ReadOutcome { Found, Corrupt, SegmentGone }

    // Reads and verifies one record; record is set exactly when the outcome is Found.
    private ReadOutcome ReadRecord(BlockKey key, RecordLocation at, out BlockRecord? record)
    {
        record = null;
        try
        {
            using var file = _directory.OpenSegment(at.SegmentId);
            var bytes = new byte[at.Length];
            return FileRead.TryReadExactly(file, bytes, at.Offset) && RecordCodec.TryDecode(bytes, key, out record)
                ? ReadOutcome.Found
                : ReadOutcome.Corrupt;
        }
        catch (FileNotFoundException)
        {
            return ReadOutcome.SegmentGone;
        }
        catch (IOException)
        {
            return ReadOutcome.Corrupt;
        }
    }

    private void RunMaintenance()
    {
        if (!_maintenanceGate.TryEnter())
            return; // A pass is already running.
        try
        {
            if (_disposed)
                return;
            _catalog.RemoveExpired(_options.Clock.GetUtcNow());
            _compactor.Run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Background passes are retried on the next tick; the store stays consistent whatever step failed.
        }
        finally
        {
            _maintenanceGate.Exit();
        }
    }
}
