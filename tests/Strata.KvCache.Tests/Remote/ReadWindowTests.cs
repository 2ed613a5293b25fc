using Strata.KvCache.Remote;

namespace Strata.KvCache.Tests.Remote;

/// <summary>
/// A chain read keeps only a few megabytes of values requested ahead of the reply being read: a Redis server copies
/// every value asked for before it writes the first reply, and each reply has a 50 ms deadline.
/// </summary>
public sealed class ReadWindowTests
{
    private const int MiB = 1 << 20;

    [Theory]
    [InlineData(512 * 1024, 8)]
    [InlineData(64 * 1024, 32)]
    [InlineData(4 * 1024, 32)]
    [InlineData(8 * MiB, 2)]
    public void TryReadChain_ServerAnswersInBatches_AsksForAtMostFourMebibytesAtOnce(int payloadBytes, int expectedBatch)
    {
        using var server = new BatchingStore();
        // Longer than the window, and within the publish queue's 64 MiB so every block is published.
        var chain = TestChain.Create(blocks: Math.Min(40, 60 * MiB / payloadBytes), payloadBytes: payloadBytes);
        // Megabyte values on a loaded two-core machine can take seconds a reply; this test is about the window, not the deadline.
        using var store = new RemoteBlockStore(PatientOptions.For(server.Url) with { OperationTimeout = TimeSpan.FromSeconds(10) }, chain.Fingerprint);
        for (var i = 0; i < chain.Blocks.Count; i++)
            store.Publish(chain.Blocks[i], chain.Payloads[i]);
        Assert.True(store.WaitForPublishes(TimeSpan.FromSeconds(30)));

        var buffers = chain.EmptyBuffers();
        Assert.Equal(chain.Blocks.Count, store.TryReadChain(chain.Blocks, buffers));

        for (var i = 0; i < chain.Blocks.Count; i++)
            Assert.True(buffers[i].Span.SequenceEqual(chain.Payloads[i]), $"block {i}");
        Assert.Equal(expectedBatch, server.LargestGetBatch);
    }
}
