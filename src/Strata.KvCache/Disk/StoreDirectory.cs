using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Strata.KvCache.Disk;

/// <summary>
/// The store's directory: segment file names (<c>000000000042.seg</c>, ids never reused) and the manifest, which
/// the writer and the compactor both rewrite — one at a time, each from the catalog's state at that moment, so a
/// later write always carries every earlier change.
/// </summary>
internal sealed class StoreDirectory(string path)
{
    private const string SegmentExtension = ".seg";
    private readonly Lock _manifestGate = new();

    public string Path { get; } = path;

    public string SegmentPath(long segmentId) =>
        System.IO.Path.Combine(Path, segmentId.ToString("D12", CultureInfo.InvariantCulture) + SegmentExtension);

    public IReadOnlyList<long> SegmentIdsOnDisk() =>
        [.. Directory.EnumerateFiles(Path, "*" + SegmentExtension)
            .Select(System.IO.Path.GetFileNameWithoutExtension)
            .Select(name => long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .Order()];

    /// <summary>Opens a segment for reading; the compactor may delete it meanwhile, which an open handle survives.</summary>
    public SafeFileHandle OpenSegment(long segmentId, FileAccess access = FileAccess.Read) =>
        File.OpenHandle(SegmentPath(segmentId), FileMode.Open, access, FileShare.ReadWrite | FileShare.Delete);

    public void DeleteSegment(long segmentId) => File.Delete(SegmentPath(segmentId));

    public void WriteManifest(StoreCatalog catalog)
    {
        lock (_manifestGate)
            ManifestFile.Write(Path, catalog.ManifestEntries());
    }
}
