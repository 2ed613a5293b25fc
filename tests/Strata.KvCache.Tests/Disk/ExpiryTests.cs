using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

public sealed class ExpiryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private readonly ManualClock _clock = new(Start);

    public void Dispose() => _directory.Dispose();

    private DiskStoreOptions Options => TestBlocks.Options(_directory.Path, _clock) with { DefaultTtl = TimeSpan.FromHours(1) };

    [Fact]
    public async Task CollectExpired_PastTtl_RemovesTheBlocksAndPrunesTheIndex()
    {
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, TestBlocks.Record(1), TestBlocks.Record(2, expiresAt: Start.AddHours(3)));
        _clock.Advance(TimeSpan.FromHours(2));

        Assert.False(store.Contains(TestBlocks.Key(1)));
        Assert.Equal(2, store.Stats.Blocks); // not collected yet
        store.CollectExpired();

        var stats = store.Stats;
        Assert.Equal((1L, 1L), (stats.Blocks, stats.Expirations));
        Assert.Equal(TestBlocks.RecordLength(), stats.LiveBytes);
        Assert.False(store.TryRead(TestBlocks.Key(1), out _));
        Assert.True(store.TryRead(TestBlocks.Key(2), out var kept));
        TestBlocks.AssertIntact(kept, 2);
        store.CheckIntegrity();
    }

    [Fact]
    public async Task TryRead_ExpiredBlock_MissesAndCollectsIt()
    {
        using var store = DiskBlockStore.Open(Options);
        await TestBlocks.WriteAsync(store, TestBlocks.Record(1));
        _clock.Advance(TimeSpan.FromHours(1));

        Assert.False(store.TryRead(TestBlocks.Key(1), out _));

        Assert.Equal((0L, 1L, 1L), (store.Stats.Blocks, store.Stats.Expirations, store.Stats.Misses));
    }

    [Fact]
    public async Task Open_ExpiredRecordsOnDisk_AreNotRecovered()
    {
        using (var store = DiskBlockStore.Open(Options))
            await TestBlocks.WriteAsync(store, TestBlocks.Record(1), TestBlocks.Record(2, expiresAt: Start.AddDays(2)));
        _clock.Advance(TimeSpan.FromDays(1));

        using var reopened = DiskBlockStore.Open(Options);

        Assert.False(reopened.Contains(TestBlocks.Key(1)));
        Assert.True(reopened.Contains(TestBlocks.Key(2)));
        Assert.Equal((1L, 1L), (reopened.Stats.Blocks, reopened.Stats.Expirations));
    }

    [Fact]
    public async Task Compact_AfterExpiry_ReclaimsTheExpiredRecordsSpace()
    {
        using var store = DiskBlockStore.Open(Options with { SegmentBytes = 4 * TestBlocks.RecordLength() });
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 8).Select(i => TestBlocks.Record(i))]);
        await TestBlocks.WriteAsync(store, TestBlocks.Record(100, expiresAt: Start.AddDays(1))); // fills a third, active segment
        _clock.Advance(TimeSpan.FromHours(2));

        store.CollectExpired();
        store.Compact();

        Assert.Equal(1, store.Stats.Blocks);
        Assert.Equal(TestBlocks.RecordLength(), _directory.SegmentBytes());
        Assert.Single(_directory.SegmentFiles());
    }
}
