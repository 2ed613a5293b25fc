namespace Strata.KvCache.Disk;

/// <summary>Where a record lives: the segment, the byte offset of its header and its total length on disk.</summary>
internal readonly record struct RecordLocation(long SegmentId, long Offset, int Length);
