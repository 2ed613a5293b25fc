using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Strata.KvCache.Disk;

/// <summary>
/// Walks a segment from its start, record by record, to rebuild the index. A record whose header checks out but whose
/// body does not is stepped over by its length; a damaged header (a torn tail, zeros, garbage) starts a search for
/// the next record that checks out in full, so one bad spot costs only the records it touches. Reads in bounded
/// chunks; never holds a whole segment or payload in memory.
/// </summary>
internal static class SegmentScanner
{
    private const int ChunkSize = 64 * 1024;

    private enum Probe { Intact, CorruptBody, BadHeader }

    /// <param name="file">The segment, open for reading.</param>
    /// <param name="verifyBodies">Check every record's checksum (a segment that may hold torn writes); otherwise trust
    /// well-formed headers and leave the bodies to the checksum every read does.</param>
    public static SegmentScan Scan(SafeFileHandle file, bool verifyBodies)
    {
        var fileBytes = RandomAccess.GetLength(file);
        var records = new List<ScannedRecord>();
        var damagedRegions = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long offset = 0;
            while (offset < fileBytes)
            {
                switch (ProbeAt(file, offset, fileBytes, verifyBodies, buffer, out var header))
                {
                    case Probe.Intact:
                        records.Add(new ScannedRecord(offset, header));
                        offset += header.Length;
                        break;
                    case Probe.CorruptBody:
                        damagedRegions++;
                        offset += header.Length;
                        break;
                    default:
                        damagedRegions++;
                        offset = FindNextIntactRecord(file, offset + 1, fileBytes, buffer);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new SegmentScan(fileBytes, records, damagedRegions);
    }

    private static Probe ProbeAt(
        SafeFileHandle file, long offset, long fileBytes, bool verifyBody, byte[] buffer, out RecordHeader header)
    {
        header = default;
        var headerBytes = buffer.AsSpan(0, RecordCodec.HeaderSize);
        if (fileBytes - offset < RecordCodec.HeaderSize
            || !FileRead.TryReadExactly(file, headerBytes, offset)
            || !RecordCodec.TryReadHeader(headerBytes, out header)
            || offset + header.Length > fileBytes)
            return Probe.BadHeader;
        return !verifyBody || ChecksumHolds(file, offset, header.Length, buffer) ? Probe.Intact : Probe.CorruptBody;
    }

    private static bool ChecksumHolds(SafeFileHandle file, long offset, int length, byte[] buffer)
    {
        var crc = 0u;
        var end = offset + length - RecordCodec.TrailerSize;
        for (var position = offset; position < end;)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - position));
            if (!FileRead.TryReadExactly(file, chunk, position))
                return false;
            crc = Crc32C.Append(crc, chunk);
            position += chunk.Length;
        }
        var trailer = buffer.AsSpan(0, RecordCodec.TrailerSize);
        return FileRead.TryReadExactly(file, trailer, end) && RecordCodec.ReadTrailer(trailer) == crc;
    }

    /// <summary>The offset of the first record at or after <paramref name="from"/> that checks out in full, else the file's end.</summary>
    private static long FindNextIntactRecord(SafeFileHandle file, long from, long fileBytes, byte[] buffer)
    {
        var position = from;
        while (fileBytes - position >= RecordCodec.HeaderSize + RecordCodec.TrailerSize)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, fileBytes - position));
            if (!FileRead.TryReadExactly(file, chunk, position))
                break;
            var hit = chunk.IndexOf(RecordCodec.Magic);
            if (hit < 0)
            {
                position += chunk.Length - (RecordCodec.Magic.Length - 1); // A magic may straddle two chunks.
                continue;
            }
            var candidate = position + hit;
            if (ProbeAt(file, candidate, fileBytes, verifyBody: true, buffer, out _) == Probe.Intact)
                return candidate;
            position = candidate + 1;
        }
        return fileBytes;
    }
}
