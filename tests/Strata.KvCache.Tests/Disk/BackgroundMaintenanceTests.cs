using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

public sealed class BackgroundMaintenanceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TryEnqueueWrite_FillingSegments_CompactsWithoutBeingAsked()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with
        {
            SegmentBytes = 4 * TestBlocks.RecordLength(),
            MaintenanceInterval = TimeSpan.FromHours(1), // only the passes that follow a full segment
        });

        for (var version = 0; version < 10; version++)
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, 4).Select(i => TestBlocks.Record(i, version))]);

        Assert.True(await EventuallyAsync(() => store.Stats.Compactions > 0));
        for (var i = 0; i < 4; i++)
        {
            Assert.True(store.TryRead(TestBlocks.Key(i), out var read));
            Assert.Equal(9, TestBlocks.AssertIntact(read, i));
        }
    }

    [Fact]
    public async Task MaintenanceTimer_PastTtl_CollectsExpiredBlocks()
    {
        var clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path, clock) with
        {
            DefaultTtl = TimeSpan.FromMinutes(5),
            MaintenanceInterval = TimeSpan.FromMilliseconds(20),
        });
        await TestBlocks.WriteAsync(store, TestBlocks.Record(1), TestBlocks.Record(2));

        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.True(await EventuallyAsync(() => store.Stats.Blocks == 0));
        Assert.Equal(2, store.Stats.Expirations);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(10);
        }
        return true;
    }
}
