using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Attention;

/// <summary>
/// Scores of Q8_0 queries against quantized keys in the order of ggml's AVX2 vec_dot_q8_0_q8_0 (what its flash
/// attention calls for a Q8_0 or Q4_0 K cache): per 32-element block, eight integer lanes of four products each,
/// acc_l = fma(d_k·d_q, lane_l, acc_l), and the lanes added as hsum_float_8. AVX-512 works on a key pair per vector
/// and reduces sixteen keys together (<see cref="ScoreTree.FromEightLanes"/>).
/// </summary>
internal readonly unsafe struct Q8_0KeyScores(Q8_0Queries queries, Q8_0Keys keys, int headDim) : IKeyScores
{
    private const int Block = 32;

    public bool HasSixteen(SimdLevel level) => level == SimdLevel.Avx512;

    public void Prepare(int group, int count)
    {
    }

    public Vector512<float> Sixteen(int row, int group, int count)
    {
        var blocks = headDim / Block;
        var queryQuants = queries.Quants + (long)row * headDim;
        var queryScales = queries.Scales + (long)row * blocks;
        var pairs = keys.Quants + (long)group / 2 * blocks * 64;
        var scales = keys.Scales + (long)group / 2 * blocks * 2;
        Vector512<float> h0 = default, h1 = default, h2 = default, h3 = default, h4 = default, h5 = default, h6 = default, h7 = default;
        for (var b = 0; b < blocks; b++)
        {
            var a = Broadcast256.Load(queryQuants + Block * b);
            var negated = -a;
            var d = queryScales[b];
            var blockQuants = pairs + 64 * b;
            var blockScales = scales + 2 * b;
            var stride = (long)blocks * 64;
            var scaleStride = blocks * 2;
            h0 = Pair(h0, blockQuants, blockScales, a, negated, d);
            h1 = Pair(h1, blockQuants + stride, blockScales + scaleStride, a, negated, d);
            h2 = Pair(h2, blockQuants + 2 * stride, blockScales + 2 * scaleStride, a, negated, d);
            h3 = Pair(h3, blockQuants + 3 * stride, blockScales + 3 * scaleStride, a, negated, d);
            h4 = Pair(h4, blockQuants + 4 * stride, blockScales + 4 * scaleStride, a, negated, d);
            h5 = Pair(h5, blockQuants + 5 * stride, blockScales + 5 * scaleStride, a, negated, d);
            h6 = Pair(h6, blockQuants + 6 * stride, blockScales + 6 * scaleStride, a, negated, d);
            h7 = Pair(h7, blockQuants + 7 * stride, blockScales + 7 * scaleStride, a, negated, d);
        }
        return ScoreTree.FromEightLanes(h0, h1, h2, h3, h4, h5, h6, h7);
    }

    /// <summary>acc (two keys × eight lanes) += d_k·d_q · lane sums of one block; the query block a is in both halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair(Vector512<float> acc, sbyte* quants, float* scales, Vector512<sbyte> a, Vector512<sbyte> negated, float queryScale)
    {
        var w = Vector512.Load(quants);
        var signed = Avx512BW.BlendVariable(a, negated, Vector512.LessThan(w, Vector512<sbyte>.Zero));
        var sums = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Vector512.Abs(w).AsByte(), signed), Vector512<short>.One);
        var keyScales = Avx512F.PermuteVar16x32(Vector512.CreateScalarUnsafe(*(double*)scales).AsSingle(),
            Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
        return Vector512.FusedMultiplyAdd(keyScales * queryScale, Avx512F.ConvertToVector512Single(sums), acc);
    }

    public float One(int row, int key, SimdLevel level)
    {
        var blocks = headDim / Block;
        var queryQuants = queries.Quants + (long)row * headDim;
        var queryScales = queries.Scales + (long)row * blocks;
        if (level != SimdLevel.Scalar)
        {
            var acc = Vector256<float>.Zero;
            for (var b = 0; b < blocks; b++)
            {
                var w = Vector256.Load(keys.BlockQuants(key, b, headDim));
                var a = Vector256.Load(queryQuants + Block * b);
                var sums = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Sign(w, w).AsByte(), Avx2.Sign(a, w)), Vector256<short>.One);
                var d = *keys.BlockScale(key, b, headDim) * queryScales[b];
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sums), acc);
            }
            var quarter = acc.GetUpper() + acc.GetLower();
            return (quarter.GetElement(0) + quarter.GetElement(2)) + (quarter.GetElement(1) + quarter.GetElement(3));
        }
        var lanes = stackalloc float[8];
        new Span<float>(lanes, 8).Clear();
        for (var b = 0; b < blocks; b++)
        {
            var w = keys.BlockQuants(key, b, headDim);
            var a = queryQuants + Block * b;
            var d = *keys.BlockScale(key, b, headDim) * queryScales[b];
            for (var l = 0; l < 8; l++)
            {
                var sum = 0;
                for (var i = 4 * l; i < 4 * l + 4; i++)
                    sum += w[i] * a[i];
                lanes[l] = MathF.FusedMultiplyAdd(d, sum, lanes[l]);
            }
        }
        return ((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3]));
    }
}
