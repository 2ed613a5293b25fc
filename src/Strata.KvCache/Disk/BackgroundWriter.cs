using System.Threading.Channels;

namespace Strata.KvCache.Disk;

/// <summary>
/// The one loop that appends records. Callers only enqueue; the queue is bounded by a count, and a write that
/// does not fit is dropped rather than waited for. The writer fsyncs whenever the queue runs dry (or every
/// <see cref="GroupCommitBytes"/>), so one fsync covers a whole burst, and completes the flushes queued behind it.
/// A record is published to the index as soon as it is written, before it is durable: readers may see it early, and
/// a crash before the fsync may lose it, which is what a flush is for.
/// </summary>
internal sealed class BackgroundWriter : IDisposable
{
    private const long GroupCommitBytes = 32L << 20;

    private readonly Channel<WriterCommand> _commands =
        Channel.CreateUnbounded<WriterCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StoreDirectory _directory;
    private readonly StoreCatalog _catalog;
    private readonly StoreCounters _counters;
    private readonly long _segmentBytes;
    private readonly int _maxPendingWrites;
    private readonly Action _segmentSealed;
    private readonly List<TaskCompletionSource> _awaitingSync = [];
    private readonly ReadOnlyMemory<byte>[] _pieces = new ReadOnlyMemory<byte>[3];
    private readonly byte[] _trailer = new byte[RecordCodec.TrailerSize];
    private readonly Task _loop;
    private byte[] _head = new byte[RecordCodec.HeadLength(tokenCount: 256)];
    private long _nextSequence;
    private int _pendingWrites;
    private SegmentWriter? _active;
    private long _unsyncedBytes;
    private Exception? _undeliveredFailure;

    public BackgroundWriter(
        StoreDirectory directory, StoreCatalog catalog, StoreCounters counters, DiskStoreOptions options,
        long nextSequence, Action segmentSealed)
    {
        _directory = directory;
        _catalog = catalog;
        _counters = counters;
        _segmentBytes = options.SegmentBytes;
        _maxPendingWrites = options.MaxPendingWrites;
        _nextSequence = nextSequence;
        _segmentSealed = segmentSealed;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a record whose expiry is set; false (and counted) when the queue is full or closed.</summary>
    public bool TryEnqueue(BlockRecord record)
    {
        if (Interlocked.Increment(ref _pendingWrites) <= _maxPendingWrites
            && _commands.Writer.TryWrite(new WriterCommand(record, Durable: null)))
            return true;
        Interlocked.Decrement(ref _pendingWrites);
        Interlocked.Increment(ref _counters.DroppedWrites);
        return false;
    }

    /// <summary>
    /// Completes once every write queued before it is durable; faults if one of them was lost to an I/O error.
    /// Flush markers skip the bound: they carry no data, and FIFO order puts each behind the writes it covers.
    /// </summary>
    public Task FlushAsync()
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A closed queue means Dispose is draining it: the loop ends once everything is written and synced.
        return _commands.Writer.TryWrite(new WriterCommand(Record: null, durable)) ? durable.Task : _loop;
    }

    /// <summary>Closes the queue, writes what is in it, syncs and seals the active segment.</summary>
    public void Dispose()
    {
        _commands.Writer.TryComplete();
        _loop.GetAwaiter().GetResult();
    }

    private async Task RunAsync()
    {
        var reader = _commands.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var command))
                {
                    if (command.Record is { } record)
                        Write(record);
                    else
                        _awaitingSync.Add(command.Durable!);
                    if (_unsyncedBytes >= GroupCommitBytes)
                        Sync();
                }
                Sync();
            }
            SealActive();
        }
        catch (Exception e)
        {
            // Nothing will be written any more: refuse new writes and fail every flush rather than leave it hanging.
            _commands.Writer.TryComplete();
            foreach (var waiter in _awaitingSync)
                waiter.TrySetException(e);
            while (reader.TryRead(out var command))
                command.Durable?.TrySetException(e);
            throw;
        }
    }

    private void Write(BlockRecord record)
    {
        try
        {
            Append(record);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _counters.DroppedWrites);
            Fail(e);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingWrites);
        }
    }

    private void Append(BlockRecord record)
    {
        var header = new RecordHeader(
            _nextSequence++, record.Key, record.Parent, record.ExpiresAt!.Value.UtcTicks,
            record.Tokens.Length, record.Payload.Length);
        var headLength = RecordCodec.HeadLength(header.TokenCount);
        if (_head.Length < headLength)
            _head = new byte[headLength];
        var head = _head.AsMemory(0, headLength);
        RecordCodec.WriteHead(head.Span, header, record.Tokens);
        RecordCodec.WriteTrailer(_trailer, Crc32C.Append(Crc32C.Compute(head.Span), record.Payload.Span));

        var segment = SegmentWithRoomFor(header.Length);
        _pieces[0] = head;
        _pieces[1] = record.Payload;
        _pieces[2] = _trailer;
        var offset = segment.Append(_pieces);
        _unsyncedBytes += header.Length;

        var location = new RecordLocation(segment.SegmentId, offset, header.Length);
        _catalog.Commit(
            new IndexEntry(header.Key, location, header.Sequence, header.ExpiresAtUtcTicks), segment.Length);
        Interlocked.Increment(ref _counters.Writes);
        Interlocked.Add(ref _counters.BytesWritten, header.Length);
    }

    /// <summary>The active segment, or a new one when it is full (a record larger than a segment gets one to itself).</summary>
    private SegmentWriter SegmentWithRoomFor(int recordLength)
    {
        if (_active is { } current && (current.Length == 0 || current.Length + recordLength <= _segmentBytes))
            return current;
        var sealedOne = _active is not null;
        if (_active is { } full)
        {
            full.Flush();
            _unsyncedBytes = 0;
            _catalog.Seal(full.SegmentId);
            full.Dispose();
            _active = null;
        }
        var segmentId = _catalog.NewSegmentId();
        _active = SegmentWriter.Create(_directory, segmentId);
        _catalog.AddSegment(segmentId, fileBytes: 0, isSealed: false);
        // Listed before anything is written to it: recovery deletes unlisted segments.
        _directory.WriteManifest(_catalog);
        if (sealedOne)
            _segmentSealed();
        return _active;
    }

    private void Sync()
    {
        if (_unsyncedBytes > 0 && _active is { } active)
        {
            try
            {
                active.Flush();
            }
            catch (IOException e)
            {
                Fail(e);
            }
            _unsyncedBytes = 0;
        }
        if (_awaitingSync.Count == 0)
            return;
        foreach (var waiter in _awaitingSync)
        {
            if (_undeliveredFailure is null)
                waiter.TrySetResult();
            else
                waiter.TrySetException(new IOException("A write queued before this flush was lost.", _undeliveredFailure));
        }
        _awaitingSync.Clear();
        _undeliveredFailure = null;
    }

    /// <summary>
    /// Gives up on the active segment after an I/O error; the next write starts a fresh one. The old one is sealed as
    /// it is, so compaction can reclaim it: whatever it holds, every read and every copy verifies it first.
    /// </summary>
    private void Fail(Exception error)
    {
        _undeliveredFailure = error;
        _unsyncedBytes = 0;
        if (_active is not { } failed)
            return;
        failed.Dispose();
        _catalog.Seal(failed.SegmentId);
        _active = null;
    }

    private void SealActive()
    {
        if (_active is not { } active)
            return;
        active.Flush();
        _catalog.Seal(active.SegmentId);
        active.Dispose();
        _active = null;
        _directory.WriteManifest(_catalog);
    }
}
