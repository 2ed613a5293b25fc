using Strata.KvCache.Disk;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Tests.Disk;

/// <summary>Deterministic block records: block <c>index</c> at <c>version</c> always has the same tokens and payload.</summary>
internal static class TestBlocks
{
    public static readonly BlockKey Root = BlockKey.Root("disk-tier-tests"u8, "tenant");

    public static BlockKey Key(int index) => BlockKey.Chain(Root, [index]);

    public static BlockRecord Record(int index, int version = 0, int payloadBytes = 1024, DateTimeOffset? expiresAt = null) =>
        new(Key(index), Root, [index, version, 42], Payload(index, version, payloadBytes), expiresAt);

    public static int RecordLength(int payloadBytes = 1024) => RecordCodec.RecordLength(3, payloadBytes);

    public static byte[] Payload(int index, int version, int length)
    {
        var bytes = new byte[length];
        var state = (ulong)(uint)index * 0x9E3779B97F4A7C15UL + (ulong)(uint)version + 1;
        for (var i = 0; i < bytes.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes[i] = (byte)state;
        }
        return bytes;
    }

    /// <summary>Asserts <paramref name="actual"/> is exactly block <paramref name="index"/> at the version its tokens name.</summary>
    public static int AssertIntact(BlockRecord actual, int index, int payloadBytes = 1024)
    {
        Assert.Equal(Key(index), actual.Key);
        Assert.Equal(Root, actual.Parent);
        Assert.Equal(3, actual.Tokens.Length);
        Assert.Equal(index, actual.Tokens[0]);
        var version = actual.Tokens[1];
        Assert.True(Payload(index, version, payloadBytes).AsSpan().SequenceEqual(actual.Payload.Span), $"block {index} v{version} payload differs");
        return version;
    }

    public static DiskStoreOptions Options(string directory, TimeProvider? clock = null) => new()
    {
        Directory = directory,
        MaxBytes = 64L << 20,
        SegmentBytes = 1L << 20,
        MaxPendingWrites = 4096,
        MaintenanceInterval = Timeout.InfiniteTimeSpan,
        Clock = clock ?? TimeProvider.System,
    };

    public static async Task WriteAsync(DiskBlockStore store, params BlockRecord[] records)
    {
        foreach (var record in records)
            Assert.True(store.TryEnqueueWrite(record));
        await store.FlushAsync();
    }
}
