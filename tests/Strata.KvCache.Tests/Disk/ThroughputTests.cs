using System.Diagnostics;
using Strata.KvCache.Disk;
using Xunit.Abstractions;

namespace Strata.KvCache.Tests.Disk;

/// <summary>
/// A rough figure for the closing notes, not a benchmark: 64 MiB of 512 KiB blocks (the 1B model's block size)
/// written through to disk and fsync'd, then read back with checksums verified. Reads come from the page cache.
/// Run with <c>--logger "console;verbosity=detailed"</c> to see the numbers.
/// </summary>
public sealed class ThroughputTests(ITestOutputHelper output) : IDisposable
{
    private const int Blocks = 128;
    private const int PayloadBytes = 512 << 10;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task WriteAndRead_HalfMebibyteBlocks_ReportsMegabytesPerSecond()
    {
        var payload = TestBlocks.Payload(0, 0, PayloadBytes);
        var records = Enumerable.Range(0, Blocks)
            .Select(i => new BlockRecord(TestBlocks.Key(i), TestBlocks.Root, [i, 0, 42], payload))
            .ToArray();
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path) with
        {
            MaxBytes = 1L << 30,
            SegmentBytes = 64L << 20,
            MaxPendingWrites = Blocks,
        });

        var writing = Stopwatch.StartNew();
        foreach (var record in records)
            Assert.True(store.TryEnqueueWrite(record));
        await store.FlushAsync();
        writing.Stop();

        // The best of three passes: the machine is shared, and the first pass also pays for JIT compilation.
        var reading = TimeSpan.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            var timer = Stopwatch.StartNew();
            foreach (var record in records)
            {
                Assert.True(store.TryRead(record.Key, out var read));
                Assert.Equal(PayloadBytes, read.Payload.Length);
            }
            reading = TimeSpan.FromTicks(Math.Min(reading.Ticks, timer.Elapsed.Ticks));
        }

        const double megabytes = (double)Blocks * PayloadBytes / (1 << 20);
        output.WriteLine($"write (fsync'd): {megabytes / writing.Elapsed.TotalSeconds:F0} MB/s, " +
            $"read (verified): {megabytes / reading.TotalSeconds:F0} MB/s, {Blocks} blocks of {PayloadBytes >> 10} KiB");
        Assert.Equal(Blocks, store.Stats.Blocks);
    }
}
