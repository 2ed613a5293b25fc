using System.Buffers.Binary;
using System.Text;

namespace Strata.Models.Gguf;

/// <summary>Bounds-checked little-endian reads over the mapped header; every failure names the offset.</summary>
internal unsafe struct GgufCursor(byte* start, long length)
{
    public long Position { get; private set; }

    public readonly long Remaining => length - Position;

    public byte ReadByte() => *Take(1);
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(Take(2), 2));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(Take(4), 4));
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(Take(8), 8));
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(new ReadOnlySpan<byte>(Take(4), 4));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(new ReadOnlySpan<byte>(Take(8), 8));

    public string ReadString()
    {
        var at = Position;
        var byteCount = ReadUInt64();
        if (byteCount > (ulong)Remaining)
            throw new GgufFormatException($"string at offset {at} claims {byteCount} bytes but only {Remaining} remain (truncated or corrupt file)");
        return Encoding.UTF8.GetString(Take((int)byteCount), (int)byteCount);
    }

    /// <summary>Reads a count that must be backed by at least <paramref name="minBytesEach"/> bytes per item.</summary>
    public long ReadCount(string what, int minBytesEach)
    {
        var at = Position;
        var count = ReadUInt64();
        if (count > (ulong)(Remaining / Math.Max(1, minBytesEach)))
            throw new GgufFormatException($"{what} at offset {at} claims {count} items, more than the {Remaining} remaining bytes can hold (truncated or corrupt file)");
        return (long)count;
    }

    public void Skip(long bytes) => Take(bytes);

    private byte* Take(long bytes)
    {
        if (bytes > Remaining)
            throw new GgufFormatException($"unexpected end of file at offset {Position}: needed {bytes} bytes, {Remaining} remain (truncated file)");
        var p = start + Position;
        Position += bytes;
        return p;
    }
}
