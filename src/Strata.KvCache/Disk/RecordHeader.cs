using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// The fixed-size fields in front of every record. <see cref="Sequence"/> orders all writes of a store, across
/// segments and restarts, and survives compaction unchanged: recovery keeps the highest sequence per key, so a
/// compacted copy can never shadow a newer write.
/// </summary>
internal readonly record struct RecordHeader(
    long Sequence, BlockKey Key, BlockKey Parent, long ExpiresAtUtcTicks, int TokenCount, int PayloadLength)
{
    public int Length => RecordCodec.RecordLength(TokenCount, PayloadLength);
}
