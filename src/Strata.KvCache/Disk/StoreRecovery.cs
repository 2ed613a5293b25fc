using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// Rebuilds the index when a store opens. The segments are the log; the manifest only says which of them are live.
/// Unlisted segment files (a compaction's output, or a new segment, that a crash kept out of the manifest) and a
/// leftover temporary manifest are deleted. Each listed segment is scanned — in full, checksums included, if it was
/// still being appended to, by header only if it was sealed — and the newest write of each key wins. Torn and
/// corrupt records are dropped and counted, never indexed.
/// </summary>
internal static class StoreRecovery
{
    /// <summary>Fills <paramref name="catalog"/> from the directory; returns the next write sequence number.</summary>
    public static long Recover(StoreDirectory directory, StoreCatalog catalog, StoreCounters counters, DateTimeOffset now)
    {
        File.Delete(Path.Combine(directory.Path, ManifestFile.TempFileName));
        var onDisk = directory.SegmentIdsOnDisk();
        var listed = ListedSegments(directory, onDisk);
        foreach (var orphan in onDisk.Except(listed.Select(s => s.SegmentId)))
            directory.DeleteSegment(orphan);
        catalog.ReserveSegmentIdsThrough(onDisk.Concat(listed.Select(s => s.SegmentId)).DefaultIfEmpty(0).Max());

        var newest = new Dictionary<BlockKey, IndexEntry>();
        var nextSequence = 0L;
        foreach (var segment in listed.Where(s => File.Exists(directory.SegmentPath(s.SegmentId))))
        {
            using var file = directory.OpenSegment(
                segment.SegmentId, segment.IsSealed ? FileAccess.Read : FileAccess.ReadWrite);
            var scan = SegmentScanner.Scan(file, verifyBodies: !segment.IsSealed);
            if (!segment.IsSealed)
                RandomAccess.FlushToDisk(file); // What survived is now durable, so the segment can be listed as sealed.
            catalog.AddSegment(segment.SegmentId, scan.FileBytes, isSealed: true);
            Interlocked.Add(ref counters.CorruptRecordsDropped, scan.DamagedRegions);
            foreach (var (offset, header) in scan.Records)
            {
                nextSequence = Math.Max(nextSequence, header.Sequence + 1);
                if (newest.TryGetValue(header.Key, out var seen) && seen.Sequence >= header.Sequence)
                    continue;
                var location = new RecordLocation(segment.SegmentId, offset, header.Length);
                newest[header.Key] = new IndexEntry(header.Key, location, header.Sequence, header.ExpiresAtUtcTicks);
            }
        }

        var live = newest.Values.Where(e => !e.IsExpired(now)).OrderBy(e => e.Sequence).ToList();
        Interlocked.Add(ref counters.Expirations, newest.Count - live.Count);
        catalog.Restore(live);
        directory.WriteManifest(catalog);
        return nextSequence;
    }

    private static IReadOnlyList<ManifestEntry> ListedSegments(StoreDirectory directory, IReadOnlyList<long> onDisk) =>
        ManifestFile.TryRead(directory.Path, out var entries) switch
        {
            ManifestFile.ReadStatus.Valid => entries,
            ManifestFile.ReadStatus.Missing when onDisk.Count == 0 => [],
            // The manifest is lost or damaged: adopt every segment file and verify all of it. Sequence numbers settle
            // the duplicates an interrupted compaction may have left; evicted blocks may come back, which a cache can bear.
            _ => [.. onDisk.Select(id => new ManifestEntry(id, IsSealed: false))],
        };
}
