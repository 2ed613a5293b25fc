using System.Runtime.InteropServices;

namespace Strata.Kernels.Memory;

/// <summary>
/// Asks Linux to back a large buffer with 2 MiB pages (transparent huge pages in <c>madvise</c> mode, the common
/// default). A decode step streams every weight once: on 4 KiB pages that is a TLB miss every 4 KiB and a hardware
/// prefetcher that stops at every page boundary.
/// </summary>
internal static unsafe partial class HugePages
{
    public const int PageBytes = 2 << 20;

    private const int AdviseHugePage = 14; // MADV_HUGEPAGE

    /// <summary>Advises huge pages for [<paramref name="start"/>, +<paramref name="bytes"/>); start must be page-aligned. A no-op off Linux or when refused.</summary>
    public static void Advise(void* start, nuint bytes)
    {
        if (OperatingSystem.IsLinux())
            _ = Madvise(start, bytes, AdviseHugePage);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* start, nuint length, int advice);
}
