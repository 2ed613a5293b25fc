using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// What the kernels in ggml's eight-lane orders share (Q8_0, Q5_K, Q6_K): a 512-bit vector holds two rows of a group
/// (eight float lanes each, lanes 0-7 the first row), fed by one token's 32 activation quants in both halves.
/// </summary>
internal static unsafe class RowPairs
{
    /// <summary>One token's 32 quants in both halves of a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Activations(sbyte* quants) => Broadcast256.Load(quants);

    /// <summary>A permutation that spreads row 2·pair's value over lanes 0-7 and row 2·pair + 1's over lanes 8-15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Spread(int pair) =>
        Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1) + Vector512.Create(2 * pair);

    /// <summary>ggml's hsum_float_8: the two halves added lane-wise, then (0 + 2) + (1 + 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalSum(Vector256<float> v)
    {
        var quarter = v.GetUpper() + v.GetLower();
        return (quarter.GetElement(0) + quarter.GetElement(2)) + (quarter.GetElement(1) + quarter.GetElement(3));
    }

    /// <summary>ggml's hsum_float_8 of eight lanes in memory.</summary>
    public static float HorizontalSum(ReadOnlySpan<float> v) => ((v[4] + v[0]) + (v[6] + v[2])) + ((v[5] + v[1]) + (v[7] + v[3]));

    /// <summary>Writes the sums of up to eight rows from four row pairs.</summary>
    public static void Write(MatMulOutput output, int t, int row, int count,
        Vector512<float> pair0, Vector512<float> pair1, Vector512<float> pair2, Vector512<float> pair3)
    {
        Span<float> sums =
        [
            HorizontalSum(pair0.GetLower()), HorizontalSum(pair0.GetUpper()), HorizontalSum(pair1.GetLower()), HorizontalSum(pair1.GetUpper()),
            HorizontalSum(pair2.GetLower()), HorizontalSum(pair2.GetUpper()), HorizontalSum(pair3.GetLower()), HorizontalSum(pair3.GetUpper()),
        ];
        for (var i = 0; i < count; i++)
            output.Write(t, row + i, sums[i]);
    }
}
