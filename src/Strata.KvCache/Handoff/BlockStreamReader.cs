using System.Buffers.Binary;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

namespace Strata.KvCache.Handoff;

/// <summary>
/// Reads what <see cref="BlockStreamWriter"/> wrote, one verified block at a time: the checksum, the format version, the
/// cache fingerprint (model, KV element type and block size, so a peer with another layout is refused), the payload's
/// length, and the key re-derived from the parent and the tokens. Anything else is an <see cref="InvalidDataException"/>
/// saying what did not match. One reader per stream (it keeps the header it is reading).
/// </summary>
public sealed class BlockStreamReader
{
    private readonly BlockValueCodec _codec;
    private readonly int _blockSize;
    private readonly int _payloadBytes;
    private readonly byte[] _header;
    private readonly byte[] _checksum = new byte[BlockValueCodec.ChecksumBytes];

    public BlockStreamReader(ReadOnlySpan<byte> cacheFingerprint, int blockSize, int payloadBytes)
    {
        _codec = new BlockValueCodec(cacheFingerprint);
        _blockSize = blockSize;
        _payloadBytes = payloadBytes;
        _header = new byte[_codec.HeaderBytes(blockSize)];
    }

    /// <summary>The next block, its payload written to <paramref name="payload"/>; null at the end of the stream.</summary>
    public async ValueTask<CachedBlock?> ReadAsync(Stream source, Memory<byte> payload, CancellationToken cancellation)
    {
        if (payload.Length != _payloadBytes)
            throw new ArgumentException($"the payload buffer must be {_payloadBytes} bytes", nameof(payload));
        var read = await source.ReadAtLeastAsync(_header, _header.Length, throwOnEndOfStream: false, cancellation);
        if (read == 0)
            return null;
        if (read < _header.Length)
            throw new InvalidDataException($"the block stream ended inside a block header ({read} of {_header.Length} bytes)");
        if (_codec.ClassifyPreamble(_header) == ValueCheck.Foreign)
            throw new InvalidDataException("the peer's blocks are of another format version or another cache (model, KV type or block size)");
        var tokens = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(40));
        var length = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(44));
        if (tokens != _blockSize || length != _payloadBytes)
            throw new InvalidDataException($"the peer's blocks hold {tokens} tokens in {length} bytes; this node's hold {_blockSize} in {_payloadBytes}");
        await source.ReadExactlyAsync(payload, cancellation);
        await source.ReadExactlyAsync(_checksum, cancellation);
        if (BlockValueCodec.Checksum(_header, payload.Span) != BinaryPrimitives.ReadUInt32LittleEndian(_checksum))
            throw new InvalidDataException("a block from the peer failed its checksum");
        var block = _codec.Describe(_header);
        if (_codec.Check(_header, block.Key, block.Parent, block.Tokens.Span, _payloadBytes) != ValueCheck.Valid)
            throw new InvalidDataException($"block {block.Key} from the peer is not the block its tokens make, or of another cache");
        return block;
    }
}
