using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// <see cref="WidenedScales"/> for eight rows of an interleaved group in 256-bit vectors (the AVX2 level): S<i>m</i>
/// holds row r's scale in both int16 halves of lane r.
/// </summary>
internal readonly struct WidenedScales256
{
    public Vector256<short> S0 { get; init; }
    public Vector256<short> S1 { get; init; }
    public Vector256<short> S2 { get; init; }
    public Vector256<short> S3 { get; init; }
    public Vector256<short> S4 { get; init; }
    public Vector256<short> S5 { get; init; }
    public Vector256<short> S6 { get; init; }
    public Vector256<short> S7 { get; init; }

    /// <summary>From the eight rows' scale slots (slot m at 32 m: pairs 2m, 2m + 1 of 8 rows), the scale <paramref name="select"/> picks of each pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe WidenedScales256 Of(byte* slots, Vector256<byte> select) => new()
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
    private static unsafe Vector256<short> Widen(byte* slot, Vector256<byte> select) =>
        Avx2.Shuffle(Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)slot)).AsByte(), select).AsInt16();
}
