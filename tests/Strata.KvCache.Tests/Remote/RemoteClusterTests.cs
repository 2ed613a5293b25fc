using System.Diagnostics;
using System.Text;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

[Collection(RemoteStoreCollection.Name)]
public sealed class RemoteClusterTests(StoreClusterFixture fixture) : IClassFixture<StoreClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly StoreCluster _cluster = fixture.Cluster;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public void Publish_ThreeNodeCluster_SpreadsBlocksAndReadsFollowMoved()
    {
        var chain = TestChain.Create(blocks: 48, payloadBytes: 16 * 1024);
        using (var publisher = CreateStore(chain.Fingerprint))
        {
            for (var i = 0; i < chain.Blocks.Count; i++)
                publisher.Publish(chain.Blocks[i], chain.Payloads[i]);
            Assert.True(publisher.WaitForPublishes(Patience));
            Assert.Equal(48L, publisher.Stats.Published);
        }
        var perNode = _cluster.Nodes.Select(node => CountOwnKeys(node, chain)).ToArray();
        Assert.All(perNode, count => Assert.InRange(count, 5, 40));
        Assert.Equal(48, perNode.Sum());

        // A fresh store knows only the seed node, so about two thirds of its first GETs come back MOVED.
        using var reader = CreateStore(chain.Fingerprint);
        var buffers = chain.EmptyBuffers();
        Assert.Equal(48, reader.TryReadChain(chain.Blocks, buffers));
        for (var i = 0; i < buffers.Length; i++)
            Assert.True(buffers[i].Span.SequenceEqual(chain.Payloads[i]), $"block {i}");
        var redirected = reader.Stats.Redirects;
        Assert.InRange(redirected, 1, 47);

        // Once CLUSTER SLOTS has been read, every GET goes straight to its owner.
        WaitUntil(() => reader.Stats.IsCluster && reader.Stats.Servers >= 3);
        Assert.Equal(48, reader.TryReadChain(chain.Blocks, chain.EmptyBuffers()));
        Assert.Equal(redirected, reader.Stats.Redirects);
        Assert.Equal(0L, reader.Stats.Errors);
    }

    [Fact]
    public void TryRead_SlotMigrating_FollowsAsk()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 16 * 1024, seed: 5);
        var block = chain.Blocks[0];
        var name = _prefix + block.Key;
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(name));
        var source = _cluster.Nodes.Single(node => Owns(node, slot));
        var target = _cluster.Nodes.First(node => node != source);
        using var sourceClient = source.Connect();
        using var targetClient = target.Connect();
        var sourceId = sourceClient.Command("CLUSTER", "MYID").AsText()!;
        var targetId = targetClient.Command("CLUSTER", "MYID").AsText()!;
        Assert.Equal("OK", targetClient.Command("CLUSTER", "SETSLOT", $"{slot}", "IMPORTING", sourceId).Text);
        Assert.Equal("OK", sourceClient.Command("CLUSTER", "SETSLOT", $"{slot}", "MIGRATING", targetId).Text);
        try
        {
            using var publisher = CreateStore(chain.Fingerprint);
            publisher.Publish(block, chain.Payloads[0]);
            Assert.True(publisher.WaitForPublishes(Patience));
            Assert.Equal(1L, publisher.Stats.Published);
            Assert.StartsWith("ASK ", sourceClient.Command("GET", name).Text);

            using var reader = CreateStore(chain.Fingerprint);
            var read = new byte[chain.Payloads[0].Length];
            Assert.True(reader.TryRead(block.Key, block.Tokens.Span, read));
            Assert.Equal(chain.Payloads[0], read);
            Assert.True(reader.Stats.Redirects >= 1);
        }
        finally
        {
            targetClient.Command("CLUSTER", "SETSLOT", $"{slot}", "STABLE");
            sourceClient.Command("CLUSTER", "SETSLOT", $"{slot}", "STABLE");
            targetClient.Command("CLUSTER", "SETSLOT", $"{slot}", "NODE", sourceId);
        }
    }

    [Fact]
    public void HashSlot_BlockNames_MatchClusterKeyslot()
    {
        var chain = TestChain.Create(blocks: 20, payloadBytes: 16);
        using var client = _cluster.Nodes[0].Connect();
        foreach (var name in chain.Blocks.Select(block => _prefix + block.Key).Append("{tag}" + _prefix).Append("a{}b{c}"))
            Assert.Equal(client.Command("CLUSTER", "KEYSLOT", name).Integer, HashSlot.Of(Encoding.UTF8.GetBytes(name)));
    }

    private RemoteBlockStore CreateStore(byte[] fingerprint) =>
        new(PatientOptions.For(_cluster.SeedUrl, _prefix), fingerprint);

    private int CountOwnKeys(StoreServer node, TestChain chain)
    {
        using var client = node.Connect();
        return chain.Blocks.Count(block => client.Command("EXISTS", _prefix + block.Key) is { IsError: false, Integer: 1 });
    }

    private static bool Owns(StoreServer node, int slot)
    {
        using var client = node.Connect();
        return client.Command("CLUSTER", "COUNTKEYSINSLOT", $"{slot}") is { IsError: false }
            && client.Command("CLUSTER", "SLOTS").Items!.Any(range =>
                range.Items![0].Integer <= slot && slot <= range.Items[1].Integer && range.Items[2].Items![1].Integer == node.Port);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Patience, "timed out");
            Thread.Sleep(20);
        }
    }
}
