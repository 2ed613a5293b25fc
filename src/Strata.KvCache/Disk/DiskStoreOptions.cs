namespace Strata.KvCache.Disk;

/// <summary>How a <see cref="DiskBlockStore"/> is laid out on disk and how much it may keep.</summary>
public sealed record DiskStoreOptions
{
    /// <summary>The directory that holds the segment files and the manifest; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>The most bytes of live records kept; past it the least recently used blocks are evicted.</summary>
    public required long MaxBytes { get; init; }

    /// <summary>How long a block is served when its write does not say.</summary>
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The size at which the writer starts a new segment file.</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>Writes waiting for the background writer; past it new writes are dropped (and counted), never blocked.</summary>
    public int MaxPendingWrites { get; init; } = 64;

    /// <summary>
    /// How often expired blocks are collected and dead space compacted in the background (also after every
    /// segment the writer fills). <see cref="Timeout.InfiniteTimeSpan"/> leaves both to explicit calls.
    /// </summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock for expiry and for the maintenance timer.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
