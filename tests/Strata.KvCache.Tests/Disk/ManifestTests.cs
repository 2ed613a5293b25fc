using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

public sealed class ManifestTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string ManifestPath => Path.Combine(_directory.Path, ManifestFile.FileName);

    private string TempManifestPath => Path.Combine(_directory.Path, ManifestFile.TempFileName);

    private DiskStoreOptions Options => TestBlocks.Options(_directory.Path) with { SegmentBytes = 8 * TestBlocks.RecordLength() };

    [Fact]
    public void WriteThenTryRead_RoundTripsTheEntries()
    {
        ManifestEntry[] entries = [new(3, IsSealed: true), new(7, IsSealed: false), new(long.MaxValue, IsSealed: true)];

        ManifestFile.Write(_directory.Path, entries);

        Assert.Equal(ManifestFile.ReadStatus.Valid, ManifestFile.TryRead(_directory.Path, out var read));
        Assert.Equal(entries, read);
        Assert.False(File.Exists(TempManifestPath));
    }

    [Fact]
    public async Task Open_CrashBetweenTempManifestAndRename_KeepsTheOldManifestValid()
    {
        using (var store = DiskBlockStore.Open(Options))
        {
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 24).Select(i => TestBlocks.Record(i, version: 1))]);
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 20).Select(i => TestBlocks.Record(i, version: 2))]);
        }
        var before = Snapshot();
        using (var store = DiskBlockStore.Open(Options))
            store.Compact();
        var after = Snapshot();
        var outputs = after.Keys.Except(before.Keys).Where(name => name.EndsWith(".seg", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(outputs);

        // The crash: the compaction's outputs and its new manifest (still the temp file) are on disk, the old
        // segments and the old manifest untouched.
        Restore(before);
        foreach (var name in outputs)
            File.WriteAllBytes(Path.Combine(_directory.Path, name), after[name]);
        File.WriteAllBytes(TempManifestPath, after[ManifestFile.FileName]);

        using var reopened = DiskBlockStore.Open(Options);
        AssertNewestVersions(reopened);
        Assert.False(File.Exists(TempManifestPath));
        Assert.All(outputs, name => Assert.False(File.Exists(Path.Combine(_directory.Path, name))));
        reopened.CheckIntegrity();
    }

    [Fact]
    public async Task Open_TornTempManifest_IsIgnored()
    {
        using (var store = DiskBlockStore.Open(Options))
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 24).Select(i => TestBlocks.Record(i, version: 1))]);
        File.WriteAllBytes(TempManifestPath, File.ReadAllBytes(ManifestPath)[..7]);

        using var reopened = DiskBlockStore.Open(Options);

        Assert.Equal(24, reopened.Stats.Blocks);
        Assert.False(File.Exists(TempManifestPath));
    }

    [Fact]
    public async Task Open_CorruptManifest_AdoptsAndVerifiesEverySegment()
    {
        using (var store = DiskBlockStore.Open(Options))
        {
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 24).Select(i => TestBlocks.Record(i, version: 1))]);
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 20).Select(i => TestBlocks.Record(i, version: 2))]);
        }
        var manifest = File.ReadAllBytes(ManifestPath);
        manifest[^1] ^= 1;
        File.WriteAllBytes(ManifestPath, manifest);

        using var reopened = DiskBlockStore.Open(Options);

        AssertNewestVersions(reopened);
        Assert.Equal(ManifestFile.ReadStatus.Valid, ManifestFile.TryRead(_directory.Path, out _));
    }

    [Fact]
    public async Task Open_UnlistedSegment_IsDeletedAndNeverServed()
    {
        using (var store = DiskBlockStore.Open(Options))
            await TestBlocks.WriteAsync(store, TestBlocks.Record(1));
        var manifest = File.ReadAllBytes(ManifestPath);
        using (var store = DiskBlockStore.Open(Options))
            await TestBlocks.WriteAsync(store, TestBlocks.Record(2));
        var orphan = _directory.SegmentFiles()[^1];
        File.WriteAllBytes(ManifestPath, manifest); // as if the crash came before the new segment was listed

        using var reopened = DiskBlockStore.Open(Options);

        Assert.True(reopened.Contains(TestBlocks.Key(1)));
        Assert.False(reopened.Contains(TestBlocks.Key(2)));
        Assert.False(File.Exists(orphan));
    }

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(_directory.Path).ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);

    private void Restore(Dictionary<string, byte[]> files)
    {
        foreach (var file in Directory.GetFiles(_directory.Path))
            File.Delete(file);
        foreach (var (name, bytes) in files)
            File.WriteAllBytes(Path.Combine(_directory.Path, name), bytes);
    }

    private static void AssertNewestVersions(DiskBlockStore store)
    {
        for (var i = 0; i < 24; i++)
        {
            Assert.True(store.TryRead(TestBlocks.Key(i), out var read));
            Assert.Equal(i < 20 ? 2 : 1, TestBlocks.AssertIntact(read, i));
        }
    }
}
