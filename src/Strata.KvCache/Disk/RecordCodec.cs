using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Disk;

/// <summary>
/// The on-disk form of one block record (all integers little-endian):
/// <code>
///   0  u32   magic "SKVB"
///   4  u32   format version (1)
///   8  i64   sequence
///  16  16 B  key
///  32  16 B  parent key
///  48  i64   expiry, UTC ticks
///  56  i32   token count  T
///  60  i32   payload length  P
///  64  u32   CRC-32C of bytes [0, 64)            (header checksum)
///  68  i32×T tokens
///  ..  P B   payload
///  ..  u32   CRC-32C of every byte before it     (record checksum)
/// </code>
/// The header has its own checksum so a scanner can trust the lengths of a record whose body is damaged and step
/// over it, instead of losing everything after it in the segment.
/// </summary>
internal static class RecordCodec
{
    public const uint FormatVersion = 1;
    public const int HeaderSize = 68;
    public const int TrailerSize = sizeof(uint);
    public const int MaxTokens = 1 << 20;
    public const int MaxPayloadBytes = 1 << 30;
    private const int HeaderChecksumOffset = 64;

    public static ReadOnlySpan<byte> Magic => "SKVB"u8;

    public static int RecordLength(int tokenCount, int payloadLength) =>
        HeaderSize + tokenCount * sizeof(int) + payloadLength + TrailerSize;

    public static int HeadLength(int tokenCount) => HeaderSize + tokenCount * sizeof(int);

    /// <summary>Writes the header and the tokens: the first <see cref="HeadLength"/> bytes of the record.</summary>
    public static void WriteHead(Span<byte> destination, in RecordHeader header, ReadOnlySpan<int> tokens)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], header.Sequence);
        header.Key.WriteTo(destination[16..]);
        header.Parent.WriteTo(destination[32..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[48..], header.ExpiresAtUtcTicks);
        BinaryPrimitives.WriteInt32LittleEndian(destination[56..], header.TokenCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[60..], header.PayloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(
            destination[HeaderChecksumOffset..], Crc32C.Compute(destination[..HeaderChecksumOffset]));
        for (var i = 0; i < tokens.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(destination[(HeaderSize + i * sizeof(int))..], tokens[i]);
    }

    public static void WriteTrailer(Span<byte> destination, uint recordChecksum) =>
        BinaryPrimitives.WriteUInt32LittleEndian(destination, recordChecksum);

    public static uint ReadTrailer(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32LittleEndian(source);

    /// <summary>Parses and validates a header: magic, version, header checksum and lengths within the format's limits.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out RecordHeader header)
    {
        header = default;
        if (source.Length < HeaderSize
            || !source[..4].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != FormatVersion
            || BinaryPrimitives.ReadUInt32LittleEndian(source[HeaderChecksumOffset..])
                != Crc32C.Compute(source[..HeaderChecksumOffset]))
            return false;
        var tokenCount = BinaryPrimitives.ReadInt32LittleEndian(source[56..]);
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(source[60..]);
        if (tokenCount is < 0 or > MaxTokens || payloadLength is < 0 or > MaxPayloadBytes)
            return false;
        header = new RecordHeader(
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BlockKey.Read(source[16..]),
            BlockKey.Read(source[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[48..]),
            tokenCount,
            payloadLength);
        return true;
    }

    /// <summary>True when <paramref name="record"/> is exactly one whole record whose both checksums hold.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> record, out RecordHeader header) =>
        TryReadHeader(record, out header)
        && header.Length == record.Length
        && ReadTrailer(record[^TrailerSize..]) == Crc32C.Compute(record[..^TrailerSize]);

    /// <summary>
    /// Decodes a record read back from disk. Fails (never returns wrong bytes) when a checksum does not hold or the
    /// record is not the one asked for. The payload is a slice of <paramref name="record"/>, not a copy.
    /// </summary>
    public static bool TryDecode(byte[] record, BlockKey expectedKey, [NotNullWhen(true)] out BlockRecord? block)
    {
        block = null;
        if (!IsIntact(record, out var header) || header.Key != expectedKey)
            return false;
        var tokens = new int[header.TokenCount];
        for (var i = 0; i < tokens.Length; i++)
            tokens[i] = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(HeaderSize + i * sizeof(int)));
        var payload = record.AsMemory(HeadLength(header.TokenCount), header.PayloadLength);
        block = new BlockRecord(
            header.Key, header.Parent, tokens, payload, new DateTimeOffset(header.ExpiresAtUtcTicks, TimeSpan.Zero));
        return true;
    }
}
