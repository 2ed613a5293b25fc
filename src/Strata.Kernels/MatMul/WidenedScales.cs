using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// One scale of each of the eight 16-quant group pairs of a Q6_K super-block, for the 16 rows of an interleaved group:
/// S<i>m</i> holds row r's scale in both int16 halves of lane r, as vpmaddwd wants it. A value type passed by
/// reference to inlined code, so the JIT keeps the eight vectors in registers.
/// </summary>
internal readonly struct WidenedScales
{
    public Vector512<short> S0 { get; init; }
    public Vector512<short> S1 { get; init; }
    public Vector512<short> S2 { get; init; }
    public Vector512<short> S3 { get; init; }
    public Vector512<short> S4 { get; init; }
    public Vector512<short> S5 { get; init; }
    public Vector512<short> S6 { get; init; }
    public Vector512<short> S7 { get; init; }

    /// <summary>From the group's scale slots (slot m at 32 m: pairs 2m, 2m + 1 of 16 rows), the scale <paramref name="select"/> picks of each pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe WidenedScales Of(byte* slots, Vector512<byte> select) => new()
    {
        S0 = Widen(slots, select),
        S1 = Widen(slots + 32, select),
        S2 = Widen(slots + 64, select),
        S3 = Widen(slots + 96, select),
        S4 = Widen(slots + 128, select),
        S5 = Widen(slots + 160, select),
        S6 = Widen(slots + 192, select),
        S7 = Widen(slots + 224, select),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<short> Widen(byte* slot, Vector512<byte> select) =>
        Avx512BW.Shuffle(Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)slot)).AsByte(), select).AsInt16();
}
