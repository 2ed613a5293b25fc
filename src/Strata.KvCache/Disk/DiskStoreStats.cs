namespace Strata.KvCache.Disk;

/// <summary>A snapshot of what a <see cref="DiskBlockStore"/> holds and has done since it was opened.</summary>
public sealed record DiskStoreStats
{
    /// <summary>Blocks in the index.</summary>
    public long Blocks { get; init; }

    /// <summary>Bytes of the records the index points at (what <see cref="DiskStoreOptions.MaxBytes"/> caps).</summary>
    public long LiveBytes { get; init; }

    /// <summary>Bytes of all segment files, dead records included.</summary>
    public long DiskBytes { get; init; }

    /// <summary>Segment files.</summary>
    public int Segments { get; init; }

    /// <summary>Reads that returned a block.</summary>
    public long Hits { get; init; }

    /// <summary>Reads that found nothing servable.</summary>
    public long Misses { get; init; }

    /// <summary>Records appended by the writer.</summary>
    public long Writes { get; init; }

    /// <summary>Bytes appended by the writer.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Bytes of records returned by reads.</summary>
    public long BytesRead { get; init; }

    /// <summary>Blocks evicted to stay under the size cap.</summary>
    public long Evictions { get; init; }

    /// <summary>Blocks removed because their time to live passed.</summary>
    public long Expirations { get; init; }

    /// <summary>Compaction passes that rewrote or deleted at least one segment.</summary>
    public long Compactions { get; init; }

    /// <summary>Torn or corrupt records (or damaged regions) found and dropped, never served.</summary>
    public long CorruptRecordsDropped { get; init; }

    /// <summary>Writes refused because the queue was full, the record too large or the store closed, or lost to an I/O error.</summary>
    public long DroppedWrites { get; init; }
}
