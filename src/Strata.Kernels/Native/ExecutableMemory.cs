using System.Runtime.InteropServices;

namespace Strata.Kernels.Native;

/// <summary>
/// Machine code the process made itself, in pages of its own: mapped writable, filled, then made read-and-execute
/// (never writable and executable at once). Mapped for the life of the process, like the runtime's own code.
/// </summary>
internal static unsafe partial class ExecutableMemory
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    /// <summary>Whether this process can map code: Linux only (the flags above are Linux's).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Copies <paramref name="code"/> into new pages and makes them executable; null if the OS refuses.</summary>
    public static byte* Map(ReadOnlySpan<byte> code)
    {
        var length = (nuint)Math.Max(1, code.Length);
        var pages = mmap(0, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (pages == -1)
            return null;
        code.CopyTo(new Span<byte>((void*)pages, code.Length));
        if (mprotect(pages, length, ProtRead | ProtExec) != 0)
        {
            munmap(pages, length);
            return null;
        }
        return (byte*)pages;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);
}
