using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

public sealed class SizeCapTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TryEnqueueWrite_BeyondTheCap_EvictsTheLeastRecentlyUsedFirst()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with { MaxBytes = 4 * TestBlocks.RecordLength() });
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 4).Select(i => TestBlocks.Record(i))]);
        Assert.True(store.TryRead(TestBlocks.Key(0), out _)); // block 0 is now the most recently used

        await TestBlocks.WriteAsync(store, TestBlocks.Record(4));
        await TestBlocks.WriteAsync(store, TestBlocks.Record(5));

        Assert.Equal([true, false, false, true, true, true], Enumerable.Range(0, 6).Select(i => store.Contains(TestBlocks.Key(i))));
        Assert.Equal((4L, 2L), (store.Stats.Blocks, store.Stats.Evictions));
        Assert.True(store.Stats.LiveBytes <= 4 * TestBlocks.RecordLength());
        store.CheckIntegrity();
    }

    [Fact]
    public async Task Compact_AfterManyEvictions_KeepsDiskBytesWithinCapPlusOneSegment()
    {
        var options = TestBlocks.Options(_directory.Path) with
        {
            MaxBytes = 16 * TestBlocks.RecordLength(),
            SegmentBytes = 5 * TestBlocks.RecordLength(),
        };
        using var store = DiskBlockStore.Open(options);
        for (var batch = 0; batch < 10; batch++)
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(batch * 13, 13).Select(i => TestBlocks.Record(i))]);
        Assert.True(_directory.SegmentBytes() > options.MaxBytes + options.SegmentBytes);

        store.Compact();

        Assert.True(_directory.SegmentBytes() <= options.MaxBytes + options.SegmentBytes, $"{_directory.SegmentBytes()} bytes on disk");
        Assert.Equal(_directory.SegmentBytes(), store.Stats.DiskBytes);
        Assert.Equal(16, store.Stats.Blocks);
        for (var i = 130 - 16; i < 130; i++)
        {
            Assert.True(store.TryRead(TestBlocks.Key(i), out var read));
            TestBlocks.AssertIntact(read, i);
        }
        store.CheckIntegrity();
    }

    [Fact]
    public async Task Open_WithASmallerCap_KeepsTheMostRecentWrites()
    {
        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 10).Select(i => TestBlocks.Record(i))]);

        using var reopened = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with { MaxBytes = 3 * TestBlocks.RecordLength() });

        Assert.Equal([7, 8, 9], Enumerable.Range(0, 10).Where(i => reopened.Contains(TestBlocks.Key(i))));
        Assert.Equal(7, reopened.Stats.Evictions);
    }
}
