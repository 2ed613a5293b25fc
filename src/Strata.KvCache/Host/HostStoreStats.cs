namespace Strata.KvCache.Host;

/// <summary>Counters of the host-memory tier.</summary>
public sealed record HostStoreStats(int Blocks, long Bytes, long Hits, long Misses, long Stores, long Evictions, long BytesRead, long BytesWritten);
