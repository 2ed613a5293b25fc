using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// The in-memory index of live blocks: key → entry, a recency list for eviction (least recently read or written
/// first) and the live bytes of each segment, which is what compaction decides on. Not thread-safe: the
/// <see cref="StoreCatalog"/> guards it.
/// </summary>
internal sealed class BlockIndex
{
    private readonly Dictionary<BlockKey, LinkedListNode<IndexEntry>> _byKey = [];
    private readonly LinkedList<IndexEntry> _byRecency = new(); // First is the coldest.
    private readonly Dictionary<long, long> _liveBytesBySegment = [];

    public int Count => _byKey.Count;

    public long LiveBytes { get; private set; }

    public IndexEntry? Coldest => _byRecency.First?.Value;

    public IEnumerable<IndexEntry> Entries => _byRecency;

    public IndexEntry? Find(BlockKey key) => _byKey.TryGetValue(key, out var node) ? node.Value : null;

    public void MarkUsed(IndexEntry entry)
    {
        var node = _byKey[entry.Key];
        _byRecency.Remove(node);
        _byRecency.AddLast(node);
    }

    /// <summary>Adds <paramref name="entry"/> as the hottest block; returns the entry it replaces, if any.</summary>
    public IndexEntry? Put(IndexEntry entry)
    {
        var replaced = Find(entry.Key);
        if (replaced is not null)
            Remove(replaced);
        _byKey[entry.Key] = _byRecency.AddLast(entry);
        AddLiveBytes(entry.Location, +1);
        return replaced;
    }

    /// <summary>Removes <paramref name="entry"/> if it is still the key's current entry.</summary>
    public bool Remove(IndexEntry entry)
    {
        if (!_byKey.TryGetValue(entry.Key, out var node) || node.Value != entry)
            return false;
        _byKey.Remove(entry.Key);
        _byRecency.Remove(node);
        AddLiveBytes(entry.Location, -1);
        return true;
    }

    public void Relocate(IndexEntry entry, RecordLocation to)
    {
        AddLiveBytes(entry.Location, -1);
        entry.Location = to;
        AddLiveBytes(to, +1);
    }

    public long LiveBytesIn(long segmentId) => _liveBytesBySegment.GetValueOrDefault(segmentId);

    private void AddLiveBytes(RecordLocation location, int sign)
    {
        var bytes = sign * (long)location.Length;
        LiveBytes += bytes;
        var segmentBytes = _liveBytesBySegment.GetValueOrDefault(location.SegmentId) + bytes;
        if (segmentBytes == 0)
            _liveBytesBySegment.Remove(location.SegmentId);
        else
            _liveBytesBySegment[location.SegmentId] = segmentBytes;
    }
}
