using System.Buffers.Binary;

namespace Strata.KvCache.Disk;

/// <summary>
/// The manifest names the live segment files, so a compaction's output and its inputs trade places in one atomic
/// step. Format (little-endian): magic "SKVM", u32 version, i32 count, count × (i64 segment id, i32 flags: bit 0
/// sealed), u32 CRC-32C of everything before it. It is replaced by writing a temporary file, fsync, rename over the
/// old one, fsync the directory: a crash at any point leaves either the old or the new manifest whole.
/// </summary>
internal static class ManifestFile
{
    public const string FileName = "MANIFEST";
    public const string TempFileName = "MANIFEST.tmp";
    private const uint FormatVersion = 1;
    private const int PrefixSize = 12;
    private const int EntrySize = 12;
    private const int SealedFlag = 1;

    private static ReadOnlySpan<byte> Magic => "SKVM"u8;

    public enum ReadStatus { Missing, Corrupt, Valid }

    public static ReadStatus TryRead(string directory, out IReadOnlyList<ManifestEntry> entries)
    {
        entries = [];
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return ReadStatus.Missing;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < PrefixSize + sizeof(uint)
            || !bytes.AsSpan(0, 4).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)) != FormatVersion)
            return ReadStatus.Corrupt;
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (count < 0 || bytes.Length != PrefixSize + (long)count * EntrySize + sizeof(uint)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - sizeof(uint)))
                != Crc32C.Compute(bytes.AsSpan(0, bytes.Length - sizeof(uint))))
            return ReadStatus.Corrupt;
        var list = new ManifestEntry[count];
        for (var i = 0; i < count; i++)
        {
            var entry = bytes.AsSpan(PrefixSize + i * EntrySize);
            list[i] = new ManifestEntry(
                BinaryPrimitives.ReadInt64LittleEndian(entry),
                (BinaryPrimitives.ReadInt32LittleEndian(entry[8..]) & SealedFlag) != 0);
        }
        entries = list;
        return ReadStatus.Valid;
    }

    public static void Write(string directory, IReadOnlyList<ManifestEntry> entries)
    {
        var bytes = new byte[PrefixSize + entries.Count * EntrySize + sizeof(uint)];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = bytes.AsSpan(PrefixSize + i * EntrySize);
            BinaryPrimitives.WriteInt64LittleEndian(entry, entries[i].SegmentId);
            BinaryPrimitives.WriteInt32LittleEndian(entry[8..], entries[i].IsSealed ? SealedFlag : 0);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(
            bytes.AsSpan(bytes.Length - sizeof(uint)), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - sizeof(uint))));

        var tempPath = Path.Combine(directory, TempFileName);
        using (var temp = File.OpenHandle(tempPath, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(temp, bytes, 0);
            RandomAccess.FlushToDisk(temp);
        }
        File.Move(tempPath, Path.Combine(directory, FileName), overwrite: true);
        NativeFileSystem.SyncDirectory(directory);
    }
}
