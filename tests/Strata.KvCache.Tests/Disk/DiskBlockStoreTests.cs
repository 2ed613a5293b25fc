using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

public sealed class DiskBlockStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TryRead_AfterFlush_ReturnsTheSameRecord()
    {
        var expiresAt = new DateTimeOffset(2100, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(7);
        var written = TestBlocks.Record(1, payloadBytes: 4096, expiresAt: expiresAt);
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));

        await TestBlocks.WriteAsync(store, written);

        Assert.True(store.TryRead(written.Key, out var read));
        Assert.Equal(written.Key, read.Key);
        Assert.Equal(written.Parent, read.Parent);
        Assert.Equal(written.Tokens, read.Tokens);
        Assert.True(written.Payload.Span.SequenceEqual(read.Payload.Span));
        Assert.Equal(expiresAt, read.ExpiresAt);
        var stats = store.Stats;
        Assert.Equal((1, 1, 1L), (stats.Blocks, stats.Hits, stats.Writes));
        Assert.Equal(TestBlocks.RecordLength(4096), stats.BytesRead);
        Assert.Equal(stats.BytesWritten, stats.LiveBytes);
    }

    [Fact]
    public async Task TryRead_DefaultTtl_ExpiresThatLongAfterTheWrite()
    {
        var clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path, clock) with { DefaultTtl = TimeSpan.FromHours(3) });

        await TestBlocks.WriteAsync(store, TestBlocks.Record(1));

        Assert.True(store.TryRead(TestBlocks.Key(1), out var read));
        Assert.Equal(clock.GetUtcNow().AddHours(3), read.ExpiresAt);
    }

    [Fact]
    public void TryRead_UnknownKey_MissesAndCountsIt()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));

        Assert.False(store.TryRead(TestBlocks.Key(9), out var read));

        Assert.Null(read);
        Assert.False(store.Contains(TestBlocks.Key(9)));
        Assert.Equal((0L, 1L), (store.Stats.Hits, store.Stats.Misses));
    }

    [Fact]
    public async Task Contains_WrittenBlock_IsTrueWithoutReadingIt()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        await TestBlocks.WriteAsync(store, TestBlocks.Record(1));

        Assert.True(store.Contains(TestBlocks.Key(1)));
        Assert.False(store.Contains(TestBlocks.Key(2)));

        Assert.Equal((0L, 0L, 0L), (store.Stats.Hits, store.Stats.Misses, store.Stats.BytesRead));
    }

    [Fact]
    public async Task TryEnqueueWrite_SameKeyTwice_LatestWriteWinsAlsoAfterReopen()
    {
        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
        {
            await TestBlocks.WriteAsync(store, TestBlocks.Record(1, version: 1), TestBlocks.Record(1, version: 2));

            Assert.True(store.TryRead(TestBlocks.Key(1), out var read));
            Assert.Equal(2, TestBlocks.AssertIntact(read, 1));
            Assert.Equal(1, store.Stats.Blocks);
            Assert.Equal(TestBlocks.RecordLength(), store.Stats.LiveBytes);
        }
        using var reopened = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        Assert.True(reopened.TryRead(TestBlocks.Key(1), out var again));
        Assert.Equal(2, TestBlocks.AssertIntact(again, 1));
        Assert.Equal(1, reopened.Stats.Blocks);
    }

    [Fact]
    public async Task TryEnqueueWrite_DuplicateRecord_KeepsOneBlock()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));

        await TestBlocks.WriteAsync(store, TestBlocks.Record(1), TestBlocks.Record(1), TestBlocks.Record(1));

        Assert.Equal(1, store.Stats.Blocks);
        Assert.Equal(3, store.Stats.Writes);
        Assert.True(store.TryRead(TestBlocks.Key(1), out var read));
        TestBlocks.AssertIntact(read, 1);
        store.CheckIntegrity();
    }

    [Fact]
    public async Task TryEnqueueWrite_MoreThanOneSegment_RollsSegmentsAndReadsEverythingBack()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with { SegmentBytes = 4 * TestBlocks.RecordLength() });

        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 10).Select(i => TestBlocks.Record(i))]);

        Assert.Equal(3, store.Stats.Segments);
        Assert.Equal(3, _directory.SegmentFiles().Length);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(store.TryRead(TestBlocks.Key(i), out var read));
            TestBlocks.AssertIntact(read, i);
        }
        store.CheckIntegrity();
    }

    [Fact]
    public void Dispose_WithQueuedWrites_DrainsThemBeforeClosing()
    {
        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
        {
            for (var i = 0; i < 50; i++)
                Assert.True(store.TryEnqueueWrite(TestBlocks.Record(i)));
        }

        using var reopened = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        for (var i = 0; i < 50; i++)
        {
            Assert.True(reopened.TryRead(TestBlocks.Key(i), out var read));
            TestBlocks.AssertIntact(read, i);
        }
    }

    [Fact]
    public async Task TryEnqueueWrite_QueueFull_DropsAndCountsWithoutWaiting()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with { MaxPendingWrites = 1 });

        var accepted = Enumerable.Range(0, 500).Count(i => store.TryEnqueueWrite(TestBlocks.Record(i)));
        await store.FlushAsync();

        var stats = store.Stats;
        Assert.True(stats.DroppedWrites > 0);
        Assert.Equal(500, accepted + stats.DroppedWrites);
        Assert.Equal(accepted, stats.Writes);
        Assert.Equal(accepted, stats.Blocks);
    }

    [Fact]
    public void TryEnqueueWrite_RecordLargerThanTheCap_IsRefused()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with { MaxBytes = 1000 });

        Assert.False(store.TryEnqueueWrite(TestBlocks.Record(1, payloadBytes: 1000)));

        Assert.Equal(1, store.Stats.DroppedWrites);
    }

    [Fact]
    public async Task TryEnqueueWrite_AfterDispose_IsRefusedAndFlushCompletes()
    {
        var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        store.Dispose();

        Assert.False(store.TryEnqueueWrite(TestBlocks.Record(1)));
        await store.FlushAsync();
        Assert.Throws<ObjectDisposedException>(() => store.TryRead(TestBlocks.Key(1), out _));
    }

    [Fact]
    public async Task Open_ReadOnlyUse_CreatesNoSegment()
    {
        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
            await TestBlocks.WriteAsync(store, TestBlocks.Record(1));
        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
            Assert.True(store.TryRead(TestBlocks.Key(1), out _));

        Assert.Single(_directory.SegmentFiles());
    }
}
