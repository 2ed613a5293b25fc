using System.Buffers.Binary;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

[Collection(RemoteStoreCollection.Name)]
public sealed class RemoteBlockStoreTests(StoreServerFixture fixture) : IClassFixture<StoreServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly StoreServer _server = fixture.Server;
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    [Fact]
    public void TryRead_AfterPublish_ReturnsExactPayload()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 64 * 1024);
        using var store = CreateStore(chain.Fingerprint);

        store.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(Patience));

        var read = new byte[chain.Payloads[0].Length];
        Assert.True(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, read));
        Assert.Equal(chain.Payloads[0], read);
        var stats = store.Stats;
        Assert.Equal((1L, 1L, 0L), (stats.Published, stats.Hits, stats.Errors));
        Assert.True(stats.BytesRead > read.Length && stats.BytesWritten == stats.BytesRead);
    }

    [Fact]
    public void TryRead_ServerGivenByHostName_ResolvesAndConnects()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 1024);
        using var store = new RemoteBlockStore(PatientOptions.For($"redis://localhost:{_server.Port}", _prefix), chain.Fingerprint);

        store.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(Patience));

        Assert.True(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, new byte[1024]));
    }

    [Fact]
    public void TryRead_UnknownKeyOrOtherTokens_Misses()
    {
        var chain = TestChain.Create(blocks: 2, payloadBytes: 1024);
        using var store = CreateStore(chain.Fingerprint);
        store.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(Patience));
        var read = new byte[1024];

        Assert.False(store.TryRead(chain.Blocks[1].Key, chain.Blocks[1].Tokens.Span, read));
        Assert.False(store.TryRead(chain.Blocks[0].Key, chain.Blocks[1].Tokens.Span, read));

        var stats = store.Stats;
        Assert.Equal((0L, 1L, 1L), (stats.Hits, stats.Misses, stats.RejectedCorrupt));
    }

    [Fact]
    public void Publish_ExistingKey_KeepsTheFirstValue()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 1024);
        using var store = CreateStore(chain.Fingerprint);
        var block = chain.Blocks[0];
        store.Publish(block, chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(Patience));

        store.Publish(block, new byte[1024]);
        Assert.True(store.WaitForPublishes(Patience));

        var read = new byte[1024];
        Assert.True(store.TryRead(block.Key, block.Tokens.Span, read));
        Assert.Equal(chain.Payloads[0], read);
        Assert.Equal((1L, 1L), (store.Stats.Published, store.Stats.AlreadyPresent));
    }

    [Fact]
    public void Publish_WithTtl_SetsExpiry()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 1024);
        using var store = CreateStore(chain.Fingerprint, options => options with { BlockTtl = TimeSpan.FromSeconds(60) });
        store.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(Patience));

        using var client = _server.Connect();
        var ttl = client.Command("PTTL", Name(chain.Blocks[0])).Integer;

        Assert.InRange(ttl, 50_000, 60_000);
    }

    [Fact]
    public void TryReadChain_PublishedChain_LoadsEveryBlockByteExact()
    {
        var chain = TestChain.Create(blocks: 24, payloadBytes: 32 * 1024);
        using var store = CreateStore(chain.Fingerprint);
        PublishAll(store, chain);

        var buffers = chain.EmptyBuffers();
        Assert.Equal(24, store.TryReadChain(chain.Blocks, buffers));

        for (var i = 0; i < buffers.Length; i++)
            Assert.True(buffers[i].Span.SequenceEqual(chain.Payloads[i]), $"block {i}");
        Assert.Equal((1L, 24L), (store.Stats.Reads, store.Stats.Hits));
    }

    [Fact]
    public void TryReadChain_MissingBlock_LoadsOnlyTheBlocksBeforeIt()
    {
        var chain = TestChain.Create(blocks: 6, payloadBytes: 4096);
        using var store = CreateStore(chain.Fingerprint);
        for (var i = 0; i < chain.Blocks.Count; i++)
            if (i != 3)
                store.Publish(chain.Blocks[i], chain.Payloads[i]);
        Assert.True(store.WaitForPublishes(Patience));

        Assert.Equal(3, store.TryReadChain(chain.Blocks, chain.EmptyBuffers()));

        // The blocks after the gap were drained unverified, and the connection is still in step.
        Assert.Equal(3, store.TryReadChain(chain.Blocks, chain.EmptyBuffers()));
        Assert.Equal(0L, store.Stats.Errors);
    }

    [Fact]
    public void TryReadChain_EarlyGapInLongChain_StopsAskingPastIt()
    {
        var chain = TestChain.Create(blocks: 100, payloadBytes: 4096);
        using var store = CreateStore(chain.Fingerprint);
        for (var i = 0; i < chain.Blocks.Count; i++)
            if (i != 2)
                store.Publish(chain.Blocks[i], chain.Payloads[i]);
        Assert.True(store.WaitForPublishes(Patience));

        Assert.Equal(2, store.TryReadChain(chain.Blocks, chain.EmptyBuffers()));

        // Only the first window (32 GETs) was in flight when the gap showed; nothing was asked for past it.
        var stats = store.Stats;
        Assert.Equal((2L, 1L), (stats.Hits, stats.Misses));
        Assert.InRange(stats.BytesRead, 2 * 4096, 31 * 4300);
    }

    [Fact]
    public void TryReadChain_WrongParent_StopsBeforeThatBlock()
    {
        var chain = TestChain.Create(blocks: 3, payloadBytes: 4096);
        using var store = CreateStore(chain.Fingerprint);
        PublishAll(store, chain);
        var claimed = chain.Blocks.ToArray();
        claimed[1] = claimed[1] with { Parent = new BlockKey(1, 2) };

        Assert.Equal(1, store.TryReadChain(claimed, chain.EmptyBuffers()));
        Assert.Equal(1L, store.Stats.RejectedCorrupt);
    }

    [Theory]
    [InlineData("payload byte flipped")]
    [InlineData("truncated")]
    [InlineData("token changed, checksum recomputed")]
    [InlineData("key of another block, checksum recomputed")]
    public void TryRead_DamagedValue_IsNeverUsedAndIsCounted(string damage)
    {
        var chain = TestChain.Create(blocks: 2, payloadBytes: 4096);
        using var store = CreateStore(chain.Fingerprint);
        var block = chain.Blocks[1];
        store.Publish(block, chain.Payloads[1]);
        Assert.True(store.WaitForPublishes(Patience));
        using var client = _server.Connect();
        var value = client.Get(Name(block))!;
        var tokensAt = 48 + chain.Fingerprint.Length;
        switch (damage)
        {
            case "payload byte flipped":
                value[^100] ^= 0x01;
                break;
            case "truncated":
                value = value[..^1];
                break;
            case "token changed, checksum recomputed":
                value[tokensAt] ^= 0x01;
                Reseal(value);
                break;
            default:
                chain.Blocks[0].Key.WriteTo(value.AsSpan(8));
                Reseal(value);
                break;
        }
        client.Set(Name(block), value);

        var read = new byte[4096];
        Assert.False(store.TryRead(block.Key, block.Tokens.Span, read));
        Assert.Equal(0, store.TryReadChain(chain.Blocks.Skip(1).ToArray(), chain.EmptyBuffers()[1..]));

        var stats = store.Stats;
        Assert.Equal((0L, 2L, 0L), (stats.Hits, stats.RejectedCorrupt, stats.RejectedForeign));
    }

    [Fact]
    public void TryRead_OtherModelsValue_IsNeverUsedAndIsCounted()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 4096);
        using var ours = CreateStore(chain.Fingerprint);
        using var theirs = CreateStore(TestChain.FingerprintOf("model-b"));
        theirs.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(theirs.WaitForPublishes(Patience));

        var read = new byte[4096];
        Assert.False(ours.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, read));

        Assert.Equal((0L, 1L), (ours.Stats.Hits, ours.Stats.RejectedForeign));
    }

    [Fact]
    public void Publish_NeverBlocksTheCaller_AndCountsWhatItDrops()
    {
        var chain = TestChain.Create(blocks: 40, payloadBytes: 256 * 1024);
        using var store = CreateStore(chain.Fingerprint, options => options with { PublishQueueBytes = 1024 * 1024 });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        PublishAll(store, chain);
        var stats = store.Stats;

        Assert.True(stats.DroppedPublishes > 0, "a 1 MiB queue cannot take 10 MiB at once");
        Assert.Equal(40L, stats.Published + stats.DroppedPublishes);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    private RemoteBlockStore CreateStore(byte[] fingerprint, Func<RemoteStoreOptions, RemoteStoreOptions>? adjust = null)
    {
        var options = PatientOptions.For(_server.Url, _prefix);
        return new RemoteBlockStore(adjust is null ? options : adjust(options), fingerprint);
    }

    private string Name(CachedBlock block) => _prefix + block.Key;

    private static void PublishAll(RemoteBlockStore store, TestChain chain)
    {
        for (var i = 0; i < chain.Blocks.Count; i++)
            store.Publish(chain.Blocks[i], chain.Payloads[i]);
        Assert.True(store.WaitForPublishes(Patience));
    }

    /// <summary>Recomputes the trailing checksum, as a writer with a bug upstream of the checksum would.</summary>
    private static void Reseal(byte[] value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(value.Length - 4), BlockValueCodec.Checksum(value.AsSpan(0, 48 + 32 + 64), value.AsSpan(144, value.Length - 148)));
}
