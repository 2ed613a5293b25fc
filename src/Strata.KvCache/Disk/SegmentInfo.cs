namespace Strata.KvCache.Disk;

/// <summary>
/// A segment file as the catalog tracks it. Sealed means fsync'd and never appended to again, so recovery can trust
/// its record headers without re-reading every body (reads still verify every record they return).
/// </summary>
internal sealed class SegmentInfo(long fileBytes, bool isSealed)
{
    public long FileBytes { get; set; } = fileBytes;
    public bool IsSealed { get; set; } = isSealed;
}
