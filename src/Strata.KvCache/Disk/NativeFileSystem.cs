using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Strata.KvCache.Disk;

/// <summary>
/// The one POSIX call .NET does not expose: fsync on a directory, which makes a rename or a new file name durable.
/// (.NET refuses to open a directory as a file handle.)
/// </summary>
internal static partial class NativeFileSystem
{
    private const int ReadOnly = 0;

    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
            return; // NTFS journals metadata; there is no directory handle to flush.
        var fd = Open(path, ReadOnly);
        if (fd < 0)
            throw new IOException($"Cannot open directory {path} to sync it.", new Win32Exception(Marshal.GetLastPInvokeError()));
        try
        {
            if (FileSync(fd) != 0)
                throw new IOException($"Cannot sync directory {path}.", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
