using System.Buffers.Binary;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

namespace Strata.KvCache.Handoff;

/// <summary>
/// Writes KV blocks one after another to a stream (a node handing a prompt's blocks to another), each in the remote
/// store's value format — versioned, fingerprinted, keyed, checksummed — so the reader proves every block before using it.
/// </summary>
public sealed class BlockStreamWriter(ReadOnlySpan<byte> cacheFingerprint)
{
    private readonly BlockValueCodec _codec = new(cacheFingerprint);

    public async ValueTask WriteAsync(Stream destination, CachedBlock block, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        var header = _codec.EncodeHeader(block, payload.Length);
        var checksum = new byte[BlockValueCodec.ChecksumBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, BlockValueCodec.Checksum(header, payload.Span));
        await destination.WriteAsync(header, cancellation);
        await destination.WriteAsync(payload, cancellation);
        await destination.WriteAsync(checksum, cancellation);
    }
}
