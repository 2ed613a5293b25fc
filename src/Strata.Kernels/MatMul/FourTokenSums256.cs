using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The eight integer lanes of one row for up to four tokens (AVX2), passed and returned by value so the JIT keeps
/// them in registers; a tile of fewer tokens repeats its last one.
/// </summary>
internal unsafe struct FourTokenSums256
{
    public Vector256<int> V0, V1, V2, V3;

    /// <summary>Adds scale·(q·a) for the tokens whose 32 quants start at x0 … x3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly FourTokenSums256 Add<TTile>(Vector256<byte> q, Vector256<short> scale, sbyte* x0, sbyte* x1, sbyte* x2, sbyte* x3)
        where TTile : struct, ITokenTile => new()
    {
        V0 = Dot(V0, q, scale, x0),
        V1 = TTile.Count > 1 ? Dot(V1, q, scale, x1) : V1,
        V2 = TTile.Count > 1 ? Dot(V2, q, scale, x2) : V2,
        V3 = TTile.Count > 1 ? Dot(V3, q, scale, x3) : V3,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot(Vector256<int> ints, Vector256<byte> q, Vector256<short> scale, sbyte* x) =>
        ints + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Load(x)), scale);
}
