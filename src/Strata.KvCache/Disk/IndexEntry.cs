using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// What the index knows of one live block. Only <see cref="Location"/> changes (when compaction moves the record),
/// so a reference to an entry identifies one write of a key.
/// </summary>
internal sealed class IndexEntry(BlockKey key, RecordLocation location, long sequence, long expiresAtUtcTicks)
{
    public BlockKey Key { get; } = key;
    public RecordLocation Location { get; set; } = location;
    public long Sequence { get; } = sequence;
    public long ExpiresAtUtcTicks { get; } = expiresAtUtcTicks;

    public bool IsExpired(DateTimeOffset now) => ExpiresAtUtcTicks <= now.UtcTicks;
}
