using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// One immutable KV block as the disk tier stores it: its content address, its parent's, the tokens it holds and the
/// opaque payload (the block's K/V bytes).
/// </summary>
/// <param name="Key">The block's content address.</param>
/// <param name="Parent">The key of the block before it in the chain.</param>
/// <param name="Tokens">The token ids the block holds.</param>
/// <param name="Payload">The block's bytes. A write takes them over: they must not change until the write is durable.</param>
/// <param name="ExpiresAt">When the block stops being served; <c>null</c> on a write means now plus
/// <see cref="DiskStoreOptions.DefaultTtl"/>. Always set on a record that was read back.</param>
public sealed record BlockRecord(
    BlockKey Key, BlockKey Parent, int[] Tokens, ReadOnlyMemory<byte> Payload, DateTimeOffset? ExpiresAt = null);
