using System.Runtime.InteropServices;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Tests.Host;

public sealed class HostBlockStoreTests
{
    private static readonly KvLayout Shape = new(LayerCount: 2, KvHeadCount: 2, HeadDim: 16, BlockSize: 16, DataType: KvDataType.F16);

    private static (CachedBlock Block, byte[] Payload) RandomBlock(int seed)
    {
        var random = new Random(seed);
        var values = new Half[Shape.BlockBytes / 2];
        for (var i = 0; i < values.Length; i++)
            values[i] = (Half)((random.NextSingle() - 0.5f) * (i % 16 == 3 ? 40f : 2f)); // channel 3 is an outlier
        var tokens = Enumerable.Range(seed, Shape.BlockSize).ToArray();
        return (new CachedBlock(BlockKey.Chain(default, tokens), default, tokens), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    [Fact]
    public void TryRead_StoredBlock_ReturnsExactPayload()
    {
        var store = new HostBlockStore(1 << 20, Shape, int8: false);
        var (block, payload) = RandomBlock(1);
        store.Store(block, payload);

        var read = new byte[payload.Length];
        Assert.True(store.TryRead(block.Key, block.Tokens.Span, read, out var entry));
        Assert.Equal(payload, read);
        Assert.Equal(block, entry);
        Assert.False(store.TryRead(block.Key, new int[Shape.BlockSize], read, out _));
    }

    [Fact]
    public void Store_OverCapacity_DropsLeastRecentlyUsed()
    {
        var store = new HostBlockStore(2 * Shape.BlockBytes, Shape, int8: false);
        var (a, pa) = RandomBlock(1);
        var (b, pb) = RandomBlock(2);
        var (c, pc) = RandomBlock(3);
        store.Store(a, pa);
        store.Store(b, pb);
        Assert.True(store.TryRead(a.Key, a.Tokens.Span, new byte[pa.Length], out _));

        store.Store(c, pc);

        Assert.True(store.Contains(a.Key));
        Assert.False(store.Contains(b.Key));
        Assert.True(store.Contains(c.Key));
        Assert.Equal(1, store.Stats.Evictions);
        Assert.True(store.Stats.Bytes <= 2 * Shape.BlockBytes);
    }

    [Fact]
    public void Int8_RoundTrip_SmallErrorPerChannelAndHalfTheMemory()
    {
        var store = new HostBlockStore(1 << 20, Shape, int8: true);
        var (block, payload) = RandomBlock(7);
        store.Store(block, payload);

        var read = new byte[payload.Length];
        Assert.True(store.TryRead(block.Key, block.Tokens.Span, read, out _));
        var original = MemoryMarshal.Cast<byte, Half>(payload);
        var decoded = MemoryMarshal.Cast<byte, Half>(read);
        for (var i = 0; i < original.Length; i++)
        {
            // Keys are scaled per channel, so ordinary key channels are not coarsened by the outlier channel;
            // values are scaled per token, whose largest element is in the outlier channel.
            var isKey = i / (Shape.BlockBytes / 2 / (2 * Shape.LayerCount)) % 2 == 0;
            var groupMax = isKey && i % 16 != 3 ? 1f : 20f;
            Assert.InRange(Math.Abs((float)original[i] - (float)decoded[i]), 0, groupMax / 127 / 2 * 1.02f + 1e-3f);
        }
        Assert.True(store.Stats.Bytes < payload.Length * 0.6);
    }

    [Fact]
    public void Int8_KeysOnlyBlock_RoundTripsEveryLayerGroupedPerChannel()
    {
        // A latent-attention block: one tensor per layer (1 head × 16 slots × 48 channels), no values.
        var shape = new KvLayout(LayerCount: 3, KvHeadCount: 1, HeadDim: 48, BlockSize: 16, DataType: KvDataType.F16, KeysOnly: true);
        Assert.Equal(3 * 16 * 48 * 2, shape.BlockBytes);
        var random = new Random(11);
        var values = new Half[shape.BlockBytes / 2];
        for (var i = 0; i < values.Length; i++)
            values[i] = (Half)((random.NextSingle() - 0.5f) * (i % 48 == 5 ? 40f : 2f)); // channel 5 is an outlier
        var payload = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var tokens = Enumerable.Range(0, 16).ToArray();
        var block = new CachedBlock(BlockKey.Chain(default, tokens), default, tokens);
        var store = new HostBlockStore(1 << 20, shape, int8: true);
        store.Store(block, payload);

        var read = new byte[payload.Length];
        Assert.True(store.TryRead(block.Key, tokens, read, out _));
        var decoded = MemoryMarshal.Cast<byte, Half>(read);
        for (var i = 0; i < values.Length; i++)
        {
            var groupMax = i % 48 == 5 ? 20f : 1f;
            Assert.InRange(Math.Abs((float)values[i] - (float)decoded[i]), 0, groupMax / 127 / 2 * 1.02f + 1e-3f);
        }
        Assert.True(store.Stats.Bytes < payload.Length * 0.6);
    }
}
