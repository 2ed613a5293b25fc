namespace Strata.KvCache.Disk;

/// <summary>The event counters of one open store, bumped with <see cref="Interlocked"/> by whichever part saw the event.</summary>
internal sealed class StoreCounters
{
    public long Hits;
    public long Misses;
    public long Writes;
    public long BytesWritten;
    public long BytesRead;
    public long Evictions;
    public long Expirations;
    public long Compactions;
    public long CorruptRecordsDropped;
    public long DroppedWrites;
}
