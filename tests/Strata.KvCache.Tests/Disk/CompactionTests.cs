using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

public sealed class CompactionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private DiskStoreOptions Options => TestBlocks.Options(_directory.Path) with { SegmentBytes = 8 * TestBlocks.RecordLength() };

    [Fact]
    public async Task Compact_MostlyDeadSegments_ReclaimsSpaceAndKeepsEveryLiveBlockReadable()
    {
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 40).Select(i => TestBlocks.Record(i, version: 1))]);
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 30).Select(i => TestBlocks.Record(i, version: 2))]);
        var before = store.Stats;

        store.Compact();

        var after = store.Stats;
        Assert.Equal(1, after.Compactions);
        Assert.True(after.DiskBytes < before.DiskBytes);
        Assert.Equal(after.DiskBytes, _directory.SegmentBytes());
        Assert.Equal(40 * TestBlocks.RecordLength(), after.LiveBytes);
        AssertNewestVersions(store);
        store.CheckIntegrity();

        store.Dispose();
        using var reopened = DiskBlockStore.Open(Options);
        AssertNewestVersions(reopened);
        Assert.Equal(after.DiskBytes, reopened.Stats.DiskBytes);
    }

    [Fact]
    public async Task Compact_NothingDead_RewritesNothing()
    {
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 20).Select(i => TestBlocks.Record(i))]);
        var files = _directory.SegmentFiles();

        store.Compact();

        Assert.Equal(0, store.Stats.Compactions);
        Assert.Equal(files, _directory.SegmentFiles());
    }

    [Fact]
    public async Task Compact_WhileReadersAndTheWriterRun_NeverServesWrongBytes()
    {
        const int Keys = 24;
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, Keys).Select(i => TestBlocks.Record(i))]);
        using var stop = new CancellationTokenSource();
        var hits = 0L;

        var readers = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                var index = random.Next(Keys);
                if (store.TryRead(TestBlocks.Key(index), out var read))
                {
                    TestBlocks.AssertIntact(read, index);
                    Interlocked.Increment(ref hits);
                }
            }
        })).ToArray();
        var writer = Task.Run(async () =>
        {
            for (var version = 1; !stop.IsCancellationRequested; version++)
            {
                for (var index = 0; index < Keys; index += 3)
                    store.TryEnqueueWrite(TestBlocks.Record(index, version));
                await store.FlushAsync();
            }
        });
        for (var pass = 0; pass < 40 && !readers.Any(r => r.IsFaulted); pass++)
        {
            store.Compact();
            await Task.Delay(5);
        }
        await stop.CancelAsync();
        await Task.WhenAll([.. readers, writer]);

        Assert.True(store.Stats.Compactions > 0);
        Assert.True(hits > 0);
        Assert.Equal(0, store.Stats.CorruptRecordsDropped);
        Assert.Equal(Keys, store.Stats.Blocks);
        store.CheckIntegrity();
    }

    [Fact]
    public async Task Compact_SeveralSmallSegments_MergesThemIntoOne()
    {
        for (var i = 0; i < 3; i++)
        {
            using var writer = DiskBlockStore.Open(Options);
            await TestBlocks.WriteAsync(writer, TestBlocks.Record(i));
        }
        using var store = DiskBlockStore.Open(Options);
        Assert.Equal(3, store.Stats.Segments);

        store.Compact();
        store.Compact(); // the merged segment is small too, but alone: nothing more to do

        Assert.Equal((1, 1L), (store.Stats.Segments, store.Stats.Compactions));
        Assert.Equal(3 * TestBlocks.RecordLength(), _directory.SegmentBytes());
        for (var i = 0; i < 3; i++)
        {
            Assert.True(store.TryRead(TestBlocks.Key(i), out var read));
            TestBlocks.AssertIntact(read, i);
        }
    }

    [Fact]
    public async Task Compact_SegmentFileVanished_DropsItsRecordsAndCarriesOn()
    {
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 17).Select(i => TestBlocks.Record(i, version: 1))]);
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 6).Select(i => TestBlocks.Record(i, version: 2))]);
        File.Delete(_directory.SegmentFiles()[0]); // held blocks 0-7 at version 1; 6 and 7 are still live there

        store.Compact();

        Assert.Equal(1, store.Stats.Compactions);
        Assert.Equal(2, store.Stats.CorruptRecordsDropped);
        Assert.Equal(
            Enumerable.Range(0, 17).Where(i => i is not (6 or 7)),
            Enumerable.Range(0, 17).Where(i => store.Contains(TestBlocks.Key(i))));
        store.CheckIntegrity();
    }

    [Fact]
    public async Task TryRead_SegmentFileVanished_MissesAndDropsTheBlock()
    {
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, TestBlocks.Record(1));
        File.Delete(Assert.Single(_directory.SegmentFiles()));

        Assert.False(store.TryRead(TestBlocks.Key(1), out _));

        Assert.False(store.Contains(TestBlocks.Key(1)));
        Assert.Equal(1, store.Stats.CorruptRecordsDropped);
    }

    [Fact]
    public async Task Open_OlderCopyInANewerSegment_TheNewestWriteWins()
    {
        // What a compaction racing an overwrite leaves behind: the old version copied into a segment with a higher id
        // than the one holding the newer write. Recovery must go by write sequence, not by file order.
        using (var store = DiskBlockStore.Open(Options))
            await TestBlocks.WriteAsync(store, TestBlocks.Record(1, version: 1), TestBlocks.Record(1, version: 2));
        var segment = Assert.Single(_directory.SegmentFiles());
        var bytes = File.ReadAllBytes(segment);
        var length = TestBlocks.RecordLength();
        File.WriteAllBytes(segment, bytes[length..]);
        File.WriteAllBytes(Path.Combine(_directory.Path, "000000000099.seg"), bytes[..length]);
        ManifestFile.Write(_directory.Path, [new ManifestEntry(1, IsSealed: true), new ManifestEntry(99, IsSealed: true)]);

        using var reopened = DiskBlockStore.Open(Options);

        Assert.True(reopened.TryRead(TestBlocks.Key(1), out var read));
        Assert.Equal(2, TestBlocks.AssertIntact(read, 1));
    }

    private static void AssertNewestVersions(DiskBlockStore store)
    {
        for (var i = 0; i < 40; i++)
        {
            Assert.True(store.TryRead(TestBlocks.Key(i), out var read));
            Assert.Equal(i < 30 ? 2 : 1, TestBlocks.AssertIntact(read, i));
        }
    }
}
