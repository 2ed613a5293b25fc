using System.Diagnostics;
using Strata.KvCache.Remote;
using Xunit.Abstractions;

using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

/// <summary>Loopback figures for the remote tier at a realistic block size (512 KiB: e.g. 16 tokens of a 7B model in F16).</summary>
[Collection(RemoteStoreCollection.Name)]
public sealed class RemoteThroughputTests(ITestOutputHelper output)
{
    private const int Blocks = 125;
    private const int PayloadBytes = 512 * 1024;
    private const double MiB = 1024 * 1024;

    [Fact]
    public void TryReadChain_LargeBlocksOnLoopback_ReportsThroughput()
    {
        using var server = StoreServer.Start();
        var chain = TestChain.Create(Blocks, PayloadBytes);
        using var store = new RemoteBlockStore(PatientOptions.For(server.Url), chain.Fingerprint);
        var totalMiB = Blocks * PayloadBytes / MiB;

        var publish = Stopwatch.StartNew();
        for (var i = 0; i < Blocks; i++)
            store.Publish(chain.Blocks[i], chain.Payloads[i]);
        var enqueued = publish.Elapsed;
        Assert.True(store.WaitForPublishes(TimeSpan.FromSeconds(30)));
        publish.Stop();
        Assert.Equal((long)Blocks, store.Stats.Published);

        var buffers = chain.EmptyBuffers();
        var best = TimeSpan.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var read = Stopwatch.StartNew();
            Assert.Equal(Blocks, store.TryReadChain(chain.Blocks, buffers));
            best = read.Elapsed < best ? read.Elapsed : best;
        }
        for (var i = 0; i < Blocks; i++)
            Assert.True(buffers[i].Span.SequenceEqual(chain.Payloads[i]), $"block {i}");

        var single = Stopwatch.StartNew();
        for (var i = 0; i < Blocks; i++)
            Assert.True(store.TryRead(chain.Blocks[i].Key, chain.Blocks[i].Tokens.Span, buffers[i].Span));
        single.Stop();

        output.WriteLine($"{server.Kind}, {Blocks} blocks x {PayloadBytes / 1024} KiB = {totalMiB:F1} MiB on loopback");
        output.WriteLine($"publish: enqueue {enqueued.TotalMilliseconds:F1} ms, stored in {publish.Elapsed.TotalMilliseconds:F0} ms = {totalMiB / publish.Elapsed.TotalSeconds:F0} MiB/s");
        output.WriteLine($"pipelined chain read: {best.TotalMilliseconds:F0} ms = {totalMiB / best.TotalSeconds:F0} MiB/s");
        output.WriteLine($"one GET per block: {single.Elapsed.TotalMilliseconds / Blocks:F2} ms each = {totalMiB / single.Elapsed.TotalSeconds:F0} MiB/s");
        output.WriteLine($"longest read operation {store.Stats.MaxReadTime.TotalMilliseconds:F1} ms");
        Assert.Equal(0L, store.Stats.Errors);
    }
}
