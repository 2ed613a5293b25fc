namespace Strata.KvCache.Disk;

/// <summary>The segments one compaction pass rewrites and their live records at planning time, in file order.</summary>
internal sealed record CompactionPlan(IReadOnlyList<long> SegmentIds, IReadOnlyList<LiveRecord> LiveRecords)
{
    public bool IsEmpty => SegmentIds.Count == 0;
}
