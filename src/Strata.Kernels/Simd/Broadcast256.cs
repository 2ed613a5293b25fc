using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels.Simd;

/// <summary>
/// 32 bytes from memory in both halves of a 512-bit vector. Not <c>Avx512F.BroadcastVector256ToVector512(T*)</c>: the
/// .NET 10 JIT (10.0.12 here) encodes its memory form, vbroadcasti64x4, with the displacement compressed in units of
/// 16 bytes where the CPU scales it by 32, so in optimized code an address with a folded offset (x + 32, x + 64, …)
/// reads twice that far from x: another group's quants, or past the buffer. A 256-bit load and two inserts have no
/// such encoding.
/// </summary>
internal static unsafe class Broadcast256
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load<T>(T* source) where T : unmanaged
    {
        var half = Vector256.Load(source);
        return Vector512.Create(half, half);
    }
}
