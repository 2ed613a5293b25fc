namespace Strata.KvCache.Disk;

/// <summary>What a scan of one segment found: its size, its readable records in file order and the damaged stretches it skipped.</summary>
internal sealed record SegmentScan(long FileBytes, IReadOnlyList<ScannedRecord> Records, int DamagedRegions);
