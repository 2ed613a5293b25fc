namespace Strata.KvCache.Disk;

/// <summary>An index entry and where it pointed when a compaction pass was planned.</summary>
internal readonly record struct LiveRecord(IndexEntry Entry, RecordLocation At);
