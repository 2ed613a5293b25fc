using System.Buffers.Binary;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>
/// The layout of a block's value in the store, so a reader can prove a value is the block it asked for before
/// using it. Little-endian:
/// <code>
///  0  4  magic "SKVB"
///  4  2  format version (1)
///  6  2  fingerprint length F
///  8 16  key (BlockKey big-endian, as BlockKey.WriteTo)
/// 24 16  parent key
/// 40  4  token count T
/// 44  4  payload length P
/// 48  F  model fingerprint
///  .  4T token ids (int32)
///  .  P  payload (the KV block, as the working pool holds it)
///  .  4  CRC-32C of everything before it
/// </code>
/// The checksum is last so a writer streams the payload without copying it and a reader verifies as it receives.
/// </summary>
internal sealed class BlockValueCodec
{
    public const ushort FormatVersion = 1;
    public const int PreambleBytes = 8;
    public const int ChecksumBytes = 4;
    private const int FixedHeaderBytes = 48;
    private readonly byte[] _fingerprint;

    public BlockValueCodec(ReadOnlySpan<byte> modelFingerprint)
    {
        if (modelFingerprint.IsEmpty || modelFingerprint.Length > ushort.MaxValue)
            throw new ArgumentException($"the model fingerprint must be 1 to {ushort.MaxValue} bytes", nameof(modelFingerprint));
        _fingerprint = modelFingerprint.ToArray();
    }

    private static ReadOnlySpan<byte> Magic => "SKVB"u8;

    public int HeaderBytes(int tokenCount) => FixedHeaderBytes + _fingerprint.Length + 4 * tokenCount;

    public long ValueBytes(int tokenCount, int payloadBytes) => HeaderBytes(tokenCount) + (long)payloadBytes + ChecksumBytes;

    public byte[] EncodeHeader(CachedBlock block, int payloadBytes)
    {
        var header = new byte[HeaderBytes(block.Tokens.Length)];
        WriteHeader(block, payloadBytes, header);
        return header;
    }

    /// <summary>Writes the header <see cref="EncodeHeader"/> makes to the start of <paramref name="destination"/>; returns its length.</summary>
    public int WriteHeader(CachedBlock block, int payloadBytes, Span<byte> destination)
    {
        var header = destination[..HeaderBytes(block.Tokens.Length)];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)_fingerprint.Length);
        block.Key.WriteTo(header[8..]);
        block.Parent.WriteTo(header[24..]);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], block.Tokens.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[44..], payloadBytes);
        _fingerprint.CopyTo(header[FixedHeaderBytes..]);
        var tokens = header[(FixedHeaderBytes + _fingerprint.Length)..];
        var blockTokens = block.Tokens.Span;
        for (var i = 0; i < blockTokens.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(tokens[(4 * i)..], blockTokens[i]);
        return header.Length;
    }

    /// <summary>The block a header names (key, parent, tokens), unverified: <see cref="Check"/> decides whether it is that block.</summary>
    public CachedBlock Describe(ReadOnlySpan<byte> header)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(header[40..]);
        var stored = header[(FixedHeaderBytes + _fingerprint.Length)..];
        var tokens = new int[count];
        for (var i = 0; i < count; i++)
            tokens[i] = BinaryPrimitives.ReadInt32LittleEndian(stored[(4 * i)..]);
        return new CachedBlock(BlockKey.Read(header[8..]), BlockKey.Read(header[24..]), tokens);
    }

    public static uint Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) => Crc32C.Append(Crc32C.Compute(header), payload);

    /// <summary>What a value of an unexpected length is, judged by its first <see cref="PreambleBytes"/> bytes.</summary>
    public ValueCheck ClassifyPreamble(ReadOnlySpan<byte> preamble) =>
        preamble[..4].SequenceEqual(Magic)
        && (BinaryPrimitives.ReadUInt16LittleEndian(preamble[4..]) != FormatVersion
            || BinaryPrimitives.ReadUInt16LittleEndian(preamble[6..]) != _fingerprint.Length)
            ? ValueCheck.Foreign
            : ValueCheck.Corrupt;

    /// <summary>
    /// Checks a header whose checksum already matched: ours, and the block asked for. Beyond comparing with the
    /// request it re-derives the key from the stored parent and tokens, so a value only counts as a block's if it
    /// is that block, even when the caller does not know the parent.
    /// </summary>
    public ValueCheck Check(ReadOnlySpan<byte> header, BlockKey key, BlockKey? parent, ReadOnlySpan<int> tokens, int payloadBytes)
    {
        if (!header[..4].SequenceEqual(Magic))
            return ValueCheck.Corrupt;
        if (BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) != FormatVersion
            || BinaryPrimitives.ReadUInt16LittleEndian(header[6..]) != _fingerprint.Length
            || !header.Slice(FixedHeaderBytes, _fingerprint.Length).SequenceEqual(_fingerprint))
            return ValueCheck.Foreign;
        var storedKey = BlockKey.Read(header[8..]);
        var storedParent = BlockKey.Read(header[24..]);
        if (storedKey != key || (parent is { } expected && storedParent != expected)
            || BinaryPrimitives.ReadInt32LittleEndian(header[40..]) != tokens.Length
            || BinaryPrimitives.ReadInt32LittleEndian(header[44..]) != payloadBytes)
            return ValueCheck.Corrupt;
        var storedTokens = header[(FixedHeaderBytes + _fingerprint.Length)..];
        for (var i = 0; i < tokens.Length; i++)
            if (BinaryPrimitives.ReadInt32LittleEndian(storedTokens[(4 * i)..]) != tokens[i])
                return ValueCheck.Corrupt;
        return BlockKey.Chain(storedParent, tokens) == key ? ValueCheck.Valid : ValueCheck.Corrupt;
    }
}
