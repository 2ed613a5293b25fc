using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The integer sums of a tile of up to four tokens for eight rows of an interleaved group, passed and returned by value
/// so the JIT keeps them in registers.
/// </summary>
internal unsafe struct TileSums256
{
    public Vector256<int> V0, V1, V2, V3;

    /// <summary>Adds scale·(q·a) for each token of the tile, whose four quants at offset o feed every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly TileSums256 Add<TTile>(Vector256<byte> q, Vector256<short> scale, in Q8_KToken x0, in Q8_KToken x1, in Q8_KToken x2, in Q8_KToken x3, int o)
        where TTile : struct, ITokenTile
    {
        var sums = this;
        sums.V0 += Dot(q, scale, x0.Quants + o);
        if (TTile.Count > 1)
        {
            sums.V1 += Dot(q, scale, x1.Quants + o);
            sums.V2 += Dot(q, scale, x2.Quants + o);
            sums.V3 += Dot(q, scale, x3.Quants + o);
        }
        return sums;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot(Vector256<byte> q, Vector256<short> scale, sbyte* fourQuants) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Create(*(int*)fourQuants).AsSByte()), scale);
}
