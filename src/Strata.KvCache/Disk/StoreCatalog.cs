using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// The store's shared state — the block index and the table of segment files — behind one lock. Every method is
/// one atomic step and does no I/O, so readers, the writer and the compactor only ever hold the lock briefly.
/// </summary>
internal sealed class StoreCatalog(long maxBytes, long segmentBytes, StoreCounters counters)
{
    private const double MostlyDeadFraction = 0.5;
    private const int SmallSegmentFraction = 4;

    private readonly Lock _gate = new();
    private readonly BlockIndex _index = new();
    private readonly SortedDictionary<long, SegmentInfo> _segments = [];
    private long _lastSegmentId;

    public long NewSegmentId() => Interlocked.Increment(ref _lastSegmentId);

    /// <summary>Makes sure new segment ids never reuse a name already seen in the directory.</summary>
    public void ReserveSegmentIdsThrough(long segmentId)
    {
        lock (_gate)
            _lastSegmentId = Math.Max(_lastSegmentId, segmentId);
    }

    public void AddSegment(long segmentId, long fileBytes, bool isSealed)
    {
        lock (_gate)
            _segments.Add(segmentId, new SegmentInfo(fileBytes, isSealed));
    }

    public void Seal(long segmentId)
    {
        lock (_gate)
            _segments[segmentId].IsSealed = true;
    }

    /// <summary>Loads recovered entries, oldest write first so the newest end up hottest, then applies the size cap.</summary>
    public void Restore(IEnumerable<IndexEntry> entriesOldestFirst)
    {
        lock (_gate)
        {
            foreach (var entry in entriesOldestFirst)
                _index.Put(entry);
            EvictOverCap(keep: null);
        }
    }

    public bool Contains(BlockKey key, DateTimeOffset now)
    {
        lock (_gate)
            return _index.Find(key) is { } entry && !entry.IsExpired(now);
    }

    /// <summary>Finds a live block for a read and marks it used; an expired one is collected on the spot.</summary>
    public bool TryLocate(BlockKey key, DateTimeOffset now, out RecordLocation location)
    {
        location = default;
        lock (_gate)
        {
            var entry = _index.Find(key);
            if (entry is null)
                return false;
            if (entry.IsExpired(now))
            {
                _index.Remove(entry);
                Interlocked.Increment(ref counters.Expirations);
                return false;
            }
            _index.MarkUsed(entry);
            location = entry.Location;
            return true;
        }
    }

    /// <summary>Drops a block whose record failed verification, unless it has meanwhile moved or been rewritten.</summary>
    public void DropCorrupt(BlockKey key, RecordLocation location)
    {
        lock (_gate)
        {
            if (_index.Find(key) is { } entry && entry.Location == location && _index.Remove(entry))
                Interlocked.Increment(ref counters.CorruptRecordsDropped);
        }
    }

    /// <summary>Publishes a record the writer has appended and evicts the coldest blocks the cap no longer has room for.</summary>
    public void Commit(IndexEntry entry, long segmentFileBytes)
    {
        lock (_gate)
        {
            _segments[entry.Location.SegmentId].FileBytes = segmentFileBytes;
            _index.Put(entry);
            EvictOverCap(keep: entry);
        }
    }

    public void RemoveExpired(DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var entry in _index.Entries.Where(e => e.IsExpired(now)).ToList())
            {
                _index.Remove(entry);
                Interlocked.Increment(ref counters.Expirations);
            }
        }
    }

    /// <summary>
    /// Picks the sealed segments worth rewriting: every mostly-dead one; while the files take more than the cap, the
    /// ones with the most dead bytes; and small ones (the tail of each compaction, or of a short-lived process), once
    /// there are two to merge. The active segment is never picked.
    /// </summary>
    public CompactionPlan PlanCompaction()
    {
        lock (_gate)
        {
            var candidates = _segments
                .Where(s => s.Value.IsSealed)
                .Select(s => (Id: s.Key, Dead: s.Value.FileBytes - _index.LiveBytesIn(s.Key), s.Value.FileBytes))
                .OrderByDescending(s => s.Dead)
                .ToList();
            var projectedBytes = _segments.Values.Sum(s => s.FileBytes);
            var victims = new HashSet<long>();
            foreach (var segment in candidates)
            {
                var mostlyDead = segment.Dead >= segment.FileBytes * MostlyDeadFraction;
                if (mostlyDead || (segment.Dead > 0 && projectedBytes > maxBytes))
                {
                    victims.Add(segment.Id);
                    projectedBytes -= segment.Dead;
                }
            }
            var small = candidates
                .Where(s => s.FileBytes < segmentBytes / SmallSegmentFraction && !victims.Contains(s.Id))
                .Select(s => s.Id)
                .ToList();
            if (small.Count >= 2)
                victims.UnionWith(small);
            if (victims.Count == 0)
                return new CompactionPlan([], []);
            var liveRecords = _index.Entries
                .Where(e => victims.Contains(e.Location.SegmentId))
                .Select(e => new LiveRecord(e, e.Location))
                .OrderBy(r => r.At.SegmentId).ThenBy(r => r.At.Offset)
                .ToList();
            return new CompactionPlan([.. victims.Order()], liveRecords);
        }
    }

    /// <summary>
    /// Swaps a finished compaction in: adds the (fsync'd) output segments, points every entry that has not changed
    /// since planning at its copy, drops the corrupt ones and forgets the rewritten segments.
    /// </summary>
    public void ApplyCompaction(CompactionPlan plan, IReadOnlyList<RecordMove> moves, IReadOnlyDictionary<long, long> outputBytes)
    {
        lock (_gate)
        {
            foreach (var (segmentId, bytes) in outputBytes)
                _segments.Add(segmentId, new SegmentInfo(bytes, isSealed: true));
            foreach (var move in moves)
            {
                if (_index.Find(move.Entry.Key) != move.Entry || move.Entry.Location != move.From)
                    continue;
                if (move.To is { } to)
                    _index.Relocate(move.Entry, to);
                else if (_index.Remove(move.Entry))
                    Interlocked.Increment(ref counters.CorruptRecordsDropped);
            }
            foreach (var segmentId in plan.SegmentIds)
                _segments.Remove(segmentId);
        }
    }

    public IReadOnlyList<ManifestEntry> ManifestEntries()
    {
        lock (_gate)
            return [.. _segments.Select(s => new ManifestEntry(s.Key, s.Value.IsSealed))];
    }

    public DiskStoreStats Describe()
    {
        lock (_gate)
        {
            return new DiskStoreStats
            {
                Blocks = _index.Count,
                LiveBytes = _index.LiveBytes,
                DiskBytes = _segments.Values.Sum(s => s.FileBytes),
                Segments = _segments.Count,
                Hits = Interlocked.Read(ref counters.Hits),
                Misses = Interlocked.Read(ref counters.Misses),
                Writes = Interlocked.Read(ref counters.Writes),
                BytesWritten = Interlocked.Read(ref counters.BytesWritten),
                BytesRead = Interlocked.Read(ref counters.BytesRead),
                Evictions = Interlocked.Read(ref counters.Evictions),
                Expirations = Interlocked.Read(ref counters.Expirations),
                Compactions = Interlocked.Read(ref counters.Compactions),
                CorruptRecordsDropped = Interlocked.Read(ref counters.CorruptRecordsDropped),
                DroppedWrites = Interlocked.Read(ref counters.DroppedWrites),
            };
        }
    }

    /// <summary>Throws if the index and the segment table disagree: every entry inside a known segment, live bytes under the cap.</summary>
    public void CheckIntegrity()
    {
        lock (_gate)
        {
            var liveBySegment = new Dictionary<long, long>();
            foreach (var entry in _index.Entries)
            {
                var at = entry.Location;
                if (!_segments.TryGetValue(at.SegmentId, out var segment) || at.Offset + at.Length > segment.FileBytes)
                    throw new InvalidOperationException($"Block {entry.Key} points outside segment {at.SegmentId}.");
                liveBySegment[at.SegmentId] = liveBySegment.GetValueOrDefault(at.SegmentId) + at.Length;
            }
            foreach (var (segmentId, segment) in _segments)
            {
                var live = liveBySegment.GetValueOrDefault(segmentId);
                if (live != _index.LiveBytesIn(segmentId) || live > segment.FileBytes)
                    throw new InvalidOperationException($"Segment {segmentId} live bytes {live} do not add up.");
            }
            if (_index.LiveBytes > maxBytes)
                throw new InvalidOperationException($"Live bytes {_index.LiveBytes} exceed the cap {maxBytes}.");
        }
    }

    private void EvictOverCap(IndexEntry? keep)
    {
        while (_index.LiveBytes > maxBytes && _index.Coldest is { } coldest && coldest != keep)
        {
            _index.Remove(coldest);
            Interlocked.Increment(ref counters.Evictions);
        }
    }
}
