using Strata.KvCache.Disk;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.CrashHost;

/// <summary>
/// What the crash host writes, shared with the test that kills it: a few keys overwritten again and again (so
/// segments die fast and compaction always has work), each version with a payload derived from (key, version).
/// </summary>
public static class CrashWorkload
{
    public const int KeyCount = 64;
    public const int PayloadBytes = 4096;
    public const string DurableLine = "durable";
    public const string CompactedLine = "compacted";

    private static readonly BlockKey Root = BlockKey.Root("crash-host"u8, "tenant");

    public static DiskStoreOptions Options(string directory) => new()
    {
        Directory = directory,
        MaxBytes = 256L << 20,
        SegmentBytes = 64L << 10,
        MaintenanceInterval = Timeout.InfiniteTimeSpan,
    };

    public static BlockKey Key(int index) => BlockKey.Chain(Root, [index]);

    public static BlockRecord Record(int index, int version) =>
        new(Key(index), Root, [index, version], Payload(index, version));

    /// <summary>True when <paramref name="record"/> is exactly block <paramref name="index"/> at the version its tokens name.</summary>
    public static bool IsIntact(BlockRecord record, int index) =>
        record.Key == Key(index) && record.Parent == Root && record.Tokens.Length == 2 && record.Tokens[0] == index
        && Payload(index, record.Tokens[1]).AsSpan().SequenceEqual(record.Payload.Span);

    private static byte[] Payload(int index, int version)
    {
        var bytes = new byte[PayloadBytes];
        new Random(index * 1_000_003 + version).NextBytes(bytes); // a seeded Random is the same in every process
        return bytes;
    }
}
