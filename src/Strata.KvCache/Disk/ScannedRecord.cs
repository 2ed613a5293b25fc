namespace Strata.KvCache.Disk;

/// <summary>A record found by <see cref="SegmentScanner"/>: where it starts and its validated header.</summary>
internal readonly record struct ScannedRecord(long Offset, RecordHeader Header);
