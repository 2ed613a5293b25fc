using Strata.Kernels.Attention;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.Attention;

public sealed unsafe class ScoreTreeTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(192)]
    public void Scores_AnyKeyCount_EqualWidenedDotProductsInTheirLanes(int headDim)
    {
        if (!SimdSupport.IsSupported(SimdLevel.Avx512))
            return;
        var random = new Random(headDim);
        var query = QuantTestData.Gaussian(random, headDim);
        var keys = QuantTestData.Gaussian(random, ScoreTree.Keys * headDim, 5f);
        fixed (float* q = query, k = keys)
        {
            for (var count = 1; count <= ScoreTree.Keys; count++)
            {
                var scores = ScoreTree.Scores(q, k, count, headDim);
                for (var j = 0; j < ScoreTree.Keys; j++)
                {
                    var expected = j < count ? DotProduct.Widened(q, k + j * headDim, headDim, SimdLevel.Scalar) : 0f;
                    Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(scores[j]));
                }
            }
        }
    }
}
