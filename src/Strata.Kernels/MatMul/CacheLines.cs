using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// Software prefetch for streams read faster than the hardware prefetcher alone fetches them: the weight streams of
/// the GEMVs, and attention's short runs of one head's keys and values in a KV block.
/// </summary>
public static unsafe class CacheLines
{
    private const int LineBytes = 64;

    /// <summary>Asks for every cache line of <paramref name="bytes"/> bytes from <paramref name="start"/> (into all levels); a no-op off x86.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch(void* start, int bytes)
    {
        if (!Sse.IsSupported)
            return;
        for (var line = 0; line < bytes; line += LineBytes)
            Sse.Prefetch0((byte*)start + line);
    }

    /// <summary>The eight lines from <paramref name="start"/>, unrolled: the JIT keeps <see cref="Prefetch"/>'s loop, five instructions a line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prefetch512(void* start)
    {
        var p = (byte*)start;
        Sse.Prefetch0(p);
        Sse.Prefetch0(p + LineBytes);
        Sse.Prefetch0(p + 2 * LineBytes);
        Sse.Prefetch0(p + 3 * LineBytes);
        Sse.Prefetch0(p + 4 * LineBytes);
        Sse.Prefetch0(p + 5 * LineBytes);
        Sse.Prefetch0(p + 6 * LineBytes);
        Sse.Prefetch0(p + 7 * LineBytes);
    }
}
