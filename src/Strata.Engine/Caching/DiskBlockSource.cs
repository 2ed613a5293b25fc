using Strata.KvCache.Disk;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>The disk tier as a block source; a record whose tokens or size do not match is a miss.</summary>
internal sealed class DiskBlockSource(DiskBlockStore store) : IBlockSource
{
    public string Name => "disk";

    public bool Contains(BlockKey key) => store.Contains(key);

    public bool TryRead(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload)
    {
        if (!store.TryRead(key, out var record) || !record.Tokens.AsSpan().SequenceEqual(tokens) || record.Payload.Length != payload.Length)
            return false;
        record.Payload.Span.CopyTo(payload);
        return true;
    }
}
