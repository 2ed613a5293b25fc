namespace Strata.KvCache.Disk;

/// <summary>One live segment file as the manifest lists it.</summary>
internal readonly record struct ManifestEntry(long SegmentId, bool IsSealed);
