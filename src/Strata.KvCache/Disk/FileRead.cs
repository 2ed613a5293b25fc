using Microsoft.Win32.SafeHandles;

namespace Strata.KvCache.Disk;

internal static class FileRead
{
    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; false if the file ends first.</summary>
    public static bool TryReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(file, destination, offset);
            if (read == 0)
                return false;
            destination = destination[read..];
            offset += read;
        }
        return true;
    }
}
