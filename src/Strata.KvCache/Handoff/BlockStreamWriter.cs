using System.Buffers;
using System.Buffers.Binary;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;

namespace Strata.KvCache.Handoff;

/// <summary>
/// Writes KV blocks one after another to a buffer writer (a node handing a prompt's blocks to another), each in the
/// remote store's value format — versioned, fingerprinted, keyed, checksummed — so the reader proves every block before
/// using it. Each record is written in place, in one piece of the destination's memory: the payload is copied once, from
/// where it lives straight into the outgoing buffer.
/// </summary>
public sealed class BlockStreamWriter(ReadOnlySpan<byte> cacheFingerprint, int blockSize, int payloadBytes)
{
    private readonly BlockValueCodec _codec = new(cacheFingerprint);

    /// <summary>Bytes of one block's record: header, payload, checksum.</summary>
    public int RecordBytes => (int)_codec.ValueBytes(blockSize, payloadBytes);

    /// <summary>Writes one block; <paramref name="writePayload"/> fills the payload's place (exactly its length).</summary>
    public void Write(IBufferWriter<byte> destination, CachedBlock block, Action<Span<byte>> writePayload)
    {
        if (block.Tokens.Length != blockSize)
            throw new ArgumentException($"a block of {block.Tokens.Length} tokens in a stream of {blockSize}-token blocks", nameof(block));
        var record = destination.GetSpan(RecordBytes)[..RecordBytes];
        var headerBytes = _codec.WriteHeader(block, payloadBytes, record);
        writePayload(record.Slice(headerBytes, payloadBytes));
        var summed = record[..^BlockValueCodec.ChecksumBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(record[^BlockValueCodec.ChecksumBytes..], Crc32C.Compute(summed));
        destination.Advance(RecordBytes);
    }
}
