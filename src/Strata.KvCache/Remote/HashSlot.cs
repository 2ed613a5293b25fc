namespace Strata.KvCache.Remote;

/// <summary>Redis Cluster's key-to-slot rule, hash tags included.</summary>
internal static class HashSlot
{
    public const int Count = 16384;

    /// <summary>
    /// CRC16 of the key mod 16384; when the key holds a non-empty <c>{tag}</c>, only the tag is hashed (the first
    /// '{' and the first '}' after it), so keys sharing a tag share a slot.
    /// </summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
                key = key.Slice(open + 1, close);
        }
        return Crc16.Compute(key) & (Count - 1);
    }
}
