using System.Buffers;
using System.Buffers.Binary;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

namespace Strata.KvCache.Handoff;

/// <summary>
/// Reads what <see cref="BlockStreamWriter"/> wrote, one verified block at a time: the checksum, the format version, the
/// cache fingerprint (model, KV element type and block size, so a peer with another layout is refused), the payload's
/// length, and the key re-derived from the parent and the tokens. Anything else is an <see cref="InvalidDataException"/>
/// saying what did not match.
/// </summary>
public sealed class BlockStreamReader(ReadOnlySpan<byte> cacheFingerprint, int blockSize, int payloadBytes)
{
    private readonly BlockValueCodec _codec = new(cacheFingerprint);

    /// <summary>The next block, its payload written to <paramref name="payload"/>; null at the end of the stream.</summary>
    public async ValueTask<CachedBlock?> ReadAsync(Stream source, Memory<byte> payload, CancellationToken cancellation)
    {
        if (payload.Length != payloadBytes)
            throw new ArgumentException($"the payload buffer must be {payloadBytes} bytes", nameof(payload));
        var headerBytes = _codec.HeaderBytes(blockSize);
        var rented = ArrayPool<byte>.Shared.Rent(headerBytes + BlockValueCodec.ChecksumBytes);
        try
        {
            var header = rented.AsMemory(0, headerBytes);
            var read = await source.ReadAtLeastAsync(header, headerBytes, throwOnEndOfStream: false, cancellation);
            if (read == 0)
                return null;
            if (read < headerBytes)
                throw new InvalidDataException($"the block stream ended inside a block header ({read} of {headerBytes} bytes)");
            if (_codec.ClassifyPreamble(header.Span) == ValueCheck.Foreign)
                throw new InvalidDataException("the peer's blocks are of another format version or another cache (model, KV type or block size)");
            var tokens = BinaryPrimitives.ReadInt32LittleEndian(header.Span[40..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header.Span[44..]);
            if (tokens != blockSize || length != payloadBytes)
                throw new InvalidDataException($"the peer's blocks hold {tokens} tokens in {length} bytes; this node's hold {blockSize} in {payloadBytes}");
            await source.ReadExactlyAsync(payload, cancellation);
            var checksum = rented.AsMemory(headerBytes, BlockValueCodec.ChecksumBytes);
            await source.ReadExactlyAsync(checksum, cancellation);
            if (BlockValueCodec.Checksum(header.Span, payload.Span) != BinaryPrimitives.ReadUInt32LittleEndian(checksum.Span))
                throw new InvalidDataException("a block from the peer failed its checksum");
            var block = _codec.Describe(header.Span);
            if (_codec.Check(header.Span, block.Key, block.Parent, block.Tokens, payloadBytes) != ValueCheck.Valid)
                throw new InvalidDataException($"block {block.Key} from the peer is not the block its tokens make, or of another cache");
            return block;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
