using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The integer lanes of one row pair for eight tokens, passed and returned by value so the JIT keeps all eight in
/// registers (a loop or a ref here would leave them in memory).
/// </summary>
internal unsafe struct EightTokenSums
{
    public Vector512<int> V0, V1, V2, V3, V4, V5, V6, V7;

    /// <summary>Adds scale·(q·a) for the eight tokens whose 32 quants start at x, x + stride, ….</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly EightTokenSums Add(Vector512<byte> q, Vector512<short> scale, sbyte* x, long stride) => new()
    {
        V0 = Dot(V0, q, scale, x),
        V1 = Dot(V1, q, scale, x + stride),
        V2 = Dot(V2, q, scale, x + 2 * stride),
        V3 = Dot(V3, q, scale, x + 3 * stride),
        V4 = Dot(V4, q, scale, x + 4 * stride),
        V5 = Dot(V5, q, scale, x + 5 * stride),
        V6 = Dot(V6, q, scale, x + 6 * stride),
        V7 = Dot(V7, q, scale, x + 7 * stride),
    };

    /// <summary>ints + scale·(q·a) in eight int32 lanes per row, for one token's 32 quants at x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Dot(Vector512<int> ints, Vector512<byte> q, Vector512<short> scale, sbyte* x) =>
        ints + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, RowPairs.Activations(x)), scale);
}
