using System.Buffers;
using System.Buffers.Binary;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>
/// Streams a GET reply's value off the connection and verifies it: the header into a pooled buffer, the payload
/// straight into the caller's destination (no intermediate copy of the large part), then the trailing checksum.
/// Always consumes the whole value, so the connection stays usable whatever the verdict.
/// </summary>
internal static class BlockValueReader
{
    /// <summary>
    /// Reads a value of <paramref name="length"/> bytes whose bulk header was consumed. The destination holds
    /// unspecified bytes unless the verdict is <see cref="ValueCheck.Valid"/>.
    /// </summary>
    public static ValueCheck Read(
        RespReader reader, long length, BlockValueCodec codec, BlockKey key, BlockKey? parent, ReadOnlySpan<int> tokens, Span<byte> payload)
    {
        if (length != codec.ValueBytes(tokens.Length, payload.Length))
            return SkipMisfit(reader, length, codec);
        var headerBytes = codec.HeaderBytes(tokens.Length);
        var rented = ArrayPool<byte>.Shared.Rent(headerBytes);
        try
        {
            var header = rented.AsSpan(0, headerBytes);
            reader.ReadExactly(header);
            reader.ReadExactly(payload);
            Span<byte> stored = stackalloc byte[BlockValueCodec.ChecksumBytes];
            reader.ReadExactly(stored);
            reader.ReadLineEnd();
            if (codec.ClassifyPreamble(header) == ValueCheck.Foreign)
                return ValueCheck.Foreign;
            if (BlockValueCodec.Checksum(header, payload) != BinaryPrimitives.ReadUInt32LittleEndian(stored))
                return ValueCheck.Corrupt;
            return codec.Check(header, key, parent, tokens, payload.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ValueCheck SkipMisfit(RespReader reader, long length, BlockValueCodec codec)
    {
        var verdict = ValueCheck.Corrupt;
        if (length >= BlockValueCodec.PreambleBytes)
        {
            Span<byte> preamble = stackalloc byte[BlockValueCodec.PreambleBytes];
            reader.ReadExactly(preamble);
            verdict = codec.ClassifyPreamble(preamble);
            length -= preamble.Length;
        }
        reader.Skip(length);
        reader.ReadLineEnd();
        return verdict;
    }
}
