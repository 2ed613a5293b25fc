using Strata.KvCache.Remote;

using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

[Collection(RemoteStoreCollection.Name)]
public sealed class RemoteShardingTests
{
    [Fact]
    public void Publish_TwoPlainServers_ShardsBySlotAndReadsBack()
    {
        using var first = StoreServer.Start();
        using var second = StoreServer.Start();
        var chain = TestChain.Create(blocks: 32, payloadBytes: 8 * 1024);
        var options = PatientOptions.For($"redis://127.0.0.1:{first.Port},127.0.0.1:{second.Port}");
        using var store = new RemoteBlockStore(options, chain.Fingerprint);

        for (var i = 0; i < chain.Blocks.Count; i++)
            store.Publish(chain.Blocks[i], chain.Payloads[i]);
        Assert.True(store.WaitForPublishes(TimeSpan.FromSeconds(10)));

        using var firstClient = first.Connect();
        using var secondClient = second.Connect();
        var (onFirst, onSecond) = (firstClient.DbSize(), secondClient.DbSize());
        Assert.Equal(32L, onFirst + onSecond);
        Assert.InRange(onFirst, 4, 28);
        foreach (var block in chain.Blocks)
        {
            // Slots 0-8191 belong to the first server listed, 8192-16383 to the second.
            var owner = options.KeyPrefix + block.Key;
            var expected = HashSlot.Of(System.Text.Encoding.UTF8.GetBytes(owner)) < HashSlot.Count / 2 ? firstClient : secondClient;
            Assert.NotNull(expected.Get(owner));
        }
        var buffers = chain.EmptyBuffers();
        Assert.Equal(32, store.TryReadChain(chain.Blocks, buffers));
        Assert.All(Enumerable.Range(0, 32), i => Assert.True(buffers[i].Span.SequenceEqual(chain.Payloads[i])));
        Assert.False(store.Stats.IsCluster);
    }
}
