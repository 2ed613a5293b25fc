using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

public sealed class VecDotTests
{
    public static TheoryData<TensorType> WeightTypes => new(QuantTestData.AllTypes.Where(t => t is not (TensorType.Q8_1 or TensorType.Q8_K)));

    [Theory]
    [InlineData(TensorType.F32, TensorType.F32)]
    [InlineData(TensorType.F16, TensorType.F16)]
    [InlineData(TensorType.BF16, TensorType.BF16)]
    [InlineData(TensorType.Q4_0, TensorType.Q8_0)]
    [InlineData(TensorType.Q5_0, TensorType.Q8_0)]
    [InlineData(TensorType.Q8_0, TensorType.Q8_0)]
    [InlineData(TensorType.Q4_1, TensorType.Q8_1)]
    [InlineData(TensorType.Q5_1, TensorType.Q8_1)]
    [InlineData(TensorType.Q2_K, TensorType.Q8_K)]
    [InlineData(TensorType.Q3_K, TensorType.Q8_K)]
    [InlineData(TensorType.Q4_K, TensorType.Q8_K)]
    [InlineData(TensorType.Q5_K, TensorType.Q8_K)]
    [InlineData(TensorType.Q6_K, TensorType.Q8_K)]
    public void ActivationType_EachWeightType_IsGgmlVecDotType(TensorType weightType, TensorType expected) =>
        Assert.Equal(expected, VecDot.ActivationType(weightType));

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Dot_RandomRowsOfSeveralSizes_MatchesDotOfDequantizedRows(TensorType weightType)
    {
        var activationType = VecDot.ActivationType(weightType);
        var blockElements = Math.Max(TensorTypeInfo.BlockElements(weightType), TensorTypeInfo.BlockElements(activationType));
        var unit = Math.Max(blockElements, 32);
        var random = new Random(30 + (int)weightType);
        // Odd block counts (1, 3, 5 blocks) and even ones.
        foreach (var blocks in new[] { 1, 2, 3, 5, 8 })
        {
            var n = unit * blocks;
            var weights = TensorTypeInfo.BlockElements(weightType) == 1
                ? QuantTestData.QuantizedRow(random, weightType, n)
                : QuantTestData.RandomBlocks(random, weightType, n / TensorTypeInfo.BlockElements(weightType));
            var activations = QuantTestData.QuantizedRow(random, activationType, n);

            var actual = VecDot.Dot(weightType, weights, activations, n);

            var w = new float[n];
            var a = new float[n];
            Dequantizer.DequantizeRow(weightType, weights, w);
            Dequantizer.DequantizeRow(activationType, activations, a);
            double expected = 0, magnitude = 0;
            for (var i = 0; i < n; i++)
            {
                expected += (double)w[i] * a[i];
                magnitude += Math.Abs((double)w[i] * a[i]);
            }
            // Float accumulation over n terms, and Q8_1's fp16-rounded cached sum: relative to the sum of |terms|.
            var tolerance = (activationType == TensorType.Q8_1 ? 2e-3 : 1e-5) * magnitude;
            Assert.True(Math.Abs(actual - expected) <= tolerance,
                $"{weightType} n={n}: dot {actual:R}, dequantized dot {expected:R}, |terms| {magnitude:G4}");
        }
    }

    [Fact]
    public void Dot_WrongRowLengths_Throw()
    {
        Assert.Throws<ArgumentException>(() => VecDot.Dot(TensorType.Q4_0, new byte[18], new byte[34 * 2], 32));
        Assert.Throws<ArgumentException>(() => VecDot.Dot(TensorType.Q4_0, new byte[36], new byte[34], 32));
    }
}
