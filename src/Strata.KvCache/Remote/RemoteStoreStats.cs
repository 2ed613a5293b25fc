namespace Strata.KvCache.Remote;

/// <summary>Counters of the remote tier since the store was created.</summary>
public sealed record RemoteStoreStats
{
    /// <summary>Blocks read and verified.</summary>
    public long Hits { get; init; }

    /// <summary>Blocks asked for that the store did not have.</summary>
    public long Misses { get; init; }

    /// <summary>Value bytes received (headers included).</summary>
    public long BytesRead { get; init; }

    /// <summary>Value bytes stored by publishes.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Read operations (a chain counts once) and their total and longest wall time.</summary>
    public long Reads { get; init; }

    public TimeSpan ReadTime { get; init; }

    public TimeSpan MaxReadTime { get; init; }

    public TimeSpan MeanReadTime => Reads == 0 ? TimeSpan.Zero : ReadTime / Reads;

    /// <summary>Blocks stored by publishes.</summary>
    public long Published { get; init; }

    /// <summary>Publishes that found the key already there (SET NX did nothing).</summary>
    public long AlreadyPresent { get; init; }

    /// <summary>Blocks never published: queue full, breaker open, or the write failed.</summary>
    public long DroppedPublishes { get; init; }

    /// <summary>Failed operations: connection failures, timeouts, protocol errors, error replies, contained exceptions.</summary>
    public long Errors { get; init; }

    /// <summary>Values refused as damaged or not the block asked for (length, checksum, key, parent, tokens).</summary>
    public long RejectedCorrupt { get; init; }

    /// <summary>Values refused as another model's or another format version's.</summary>
    public long RejectedForeign { get; init; }

    /// <summary>MOVED and ASK answers followed.</summary>
    public long Redirects { get; init; }

    /// <summary>The worst breaker state over the servers (Open if any server is not being asked).</summary>
    public BreakerState Breaker { get; init; }

    /// <summary>Outages seen (a breaker going from closed to open) and recoveries (back to closed).</summary>
    public long BreakerOpenings { get; init; }

    public long BreakerClosings { get; init; }

    /// <summary>Servers known, and whether their slots came from a Redis Cluster.</summary>
    public int Servers { get; init; }

    public bool IsCluster { get; init; }
}
