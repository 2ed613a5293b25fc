using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Attention;

/// <summary>
/// Scores of float queries [rows, headDim] against float keys [count, headDim], summed as
/// <see cref="DotProduct.Widened(float*, float*, int, SimdLevel)"/>. Head sizes that are multiples of 64 get sixteen
/// scores of a row at once from <see cref="ScoreTree"/>. Head sizes below 64 are summed by Widened one product at a
/// time in double (ggml_vec_dot_f16's leftover loop); with AVX-512 and <paramref name="transposed"/> given, a group's
/// keys are first laid out dimension by dimension, so that sixteen keys take each product and each double addition
/// side by side, in the same order.
/// </summary>
/// <param name="transposed">[headDim, 16] room for a group's keys by dimension, for head sizes below 64; null otherwise.</param>
internal readonly unsafe struct FloatKeyScores(float* queries, float* keys, int headDim, float* transposed) : IKeyScores
{
    /// <summary>Head sizes below this are summed one product at a time (and get a transposed group with AVX-512).</summary>
    public const int SmallHeadLimit = ScoreTree.Step;

    public bool HasSixteen(SimdLevel level) =>
        level == SimdLevel.Avx512 && (headDim % ScoreTree.Step == 0 || (headDim < SmallHeadLimit && transposed != null));

    public void Prepare(int group, int count)
    {
        if (headDim >= SmallHeadLimit)
            return;
        // Lane j of dimension i is key j's element i; lanes past the last key repeat it, finite and never used.
        var index = Vector512.Min(Vector512<int>.Indices, Vector512.Create(count - 1)) * headDim;
        var (low, high) = (index.GetLower(), index.GetUpper());
        var first = keys + (long)group * headDim;
        for (var i = 0; i < headDim; i++)
        {
            Avx2.GatherVector256(first + i, low, sizeof(float)).Store(transposed + i * ScoreTree.Keys);
            Avx2.GatherVector256(first + i, high, sizeof(float)).Store(transposed + i * ScoreTree.Keys + ScoreTree.Keys / 2);
        }
    }

    public Vector512<float> Sixteen(int row, int group, int count)
    {
        if (headDim % ScoreTree.Step == 0)
            return ScoreTree.Scores(queries + (long)row * headDim, keys + (long)group * headDim, count, headDim);
        var query = queries + (long)row * headDim;
        var low = Vector512<double>.Zero;
        var high = Vector512<double>.Zero;
        for (var i = 0; i < headDim; i++)
        {
            var products = Vector512.Load(transposed + i * ScoreTree.Keys) * query[i];
            low += Vector512.WidenLower(products);
            high += Vector512.WidenUpper(products);
        }
        return Vector512.Narrow(low, high);
    }

    public float One(int row, int key, SimdLevel level) =>
        DotProduct.Widened(queries + (long)row * headDim, keys + (long)key * headDim, headDim, level);
}
