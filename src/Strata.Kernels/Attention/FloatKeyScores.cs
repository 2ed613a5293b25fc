using System.Runtime.Intrinsics;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Attention;

/// <summary>Scores of float queries [rows, headDim] against float keys [count, headDim], summed as <see cref="DotProduct.Widened(float*, float*, int, SimdLevel)"/>.</summary>
internal readonly unsafe struct FloatKeyScores(float* queries, float* keys, int headDim) : IKeyScores
{
    public bool HasSixteen(SimdLevel level) => level == SimdLevel.Avx512 && headDim % ScoreTree.Step == 0;

    public Vector512<float> Sixteen(int row, int group, int count) =>
        ScoreTree.Scores(queries + (long)row * headDim, keys + (long)group * headDim, count, headDim);

    public float One(int row, int key, SimdLevel level) =>
        DotProduct.Widened(queries + (long)row * headDim, keys + (long)key * headDim, headDim, level);
}
