using Microsoft.Win32.SafeHandles;

namespace Strata.KvCache.Disk;

/// <summary>
/// Appends records to one new segment file with positional writes; nothing is buffered in memory, and
/// <see cref="Flush"/> is the fsync that makes every appended record durable.
/// </summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly SafeFileHandle _file;

    private SegmentWriter(long segmentId, SafeFileHandle file)
    {
        SegmentId = segmentId;
        _file = file;
    }

    public long SegmentId { get; }

    public long Length { get; private set; }

    public static SegmentWriter Create(StoreDirectory directory, long segmentId) =>
        new(segmentId, File.OpenHandle(
            directory.SegmentPath(segmentId), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete));

    /// <summary>Appends one record given as consecutive pieces; returns its offset.</summary>
    public long Append(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        var offset = Length;
        RandomAccess.Write(_file, pieces, offset);
        foreach (var piece in pieces)
            Length += piece.Length;
        return offset;
    }

    public long Append(ReadOnlySpan<byte> record)
    {
        var offset = Length;
        RandomAccess.Write(_file, record, offset);
        Length += record.Length;
        return offset;
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();
}
