using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// Bit-exact agreement with ggml's own code on rows full of edge cases (zero, constant, outlier, all-positive,
/// fp16-subnormal-scale and all-negative groups; an all-zero Q8_K super-block). See Golden/README.md.
/// </summary>
public sealed class GgmlGoldenTests
{
    public static TheoryData<TensorType> Types => new(GgmlGoldenRecord.All.Select(r => r.Type));

    [Fact]
    public void GoldenFile_CoversEveryQuantizedWeightType()
    {
        TensorType[] expected = [TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1, TensorType.Q8_0,
            TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K];
        Assert.Equal(expected, GgmlGoldenRecord.All.Select(r => r.Type));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void QuantizeRow_GoldenWeights_MatchGgmlRefQuantizer(TensorType type)
    {
        var golden = GgmlGoldenRecord.For(type);
        var actual = new byte[golden.QuantizedWeights.Length];

        Quantizer.QuantizeRow(type, golden.Weights, actual);

        AssertSameBlocks(type, golden.QuantizedWeights, actual);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void QuantizeRow_GoldenActivations_MatchGgmlRefQuantizer(TensorType type)
    {
        var golden = GgmlGoldenRecord.For(type);
        Assert.Equal(golden.ActivationType, VecDot.ActivationType(type));
        var actual = new byte[golden.QuantizedActivations.Length];

        Quantizer.QuantizeRow(golden.ActivationType, golden.Activations, actual);

        AssertSameBlocks(golden.ActivationType, golden.QuantizedActivations, actual);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void DequantizeRow_GoldenBlocks_MatchGgmlDequantizeRowBitExactly(TensorType type)
    {
        var golden = GgmlGoldenRecord.For(type);
        var actual = new float[golden.DequantizedWeights.Length];

        Dequantizer.DequantizeRow(type, golden.QuantizedWeights, actual);

        for (var i = 0; i < actual.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(golden.DequantizedWeights[i]) == BitConverter.SingleToUInt32Bits(actual[i]),
                $"{type} element {i}: ggml {golden.DequantizedWeights[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Dot_GoldenRows_MatchGgmlGenericVecDotBitExactly(TensorType type)
    {
        var golden = GgmlGoldenRecord.For(type);

        var actual = VecDot.Dot(type, golden.QuantizedWeights, golden.QuantizedActivations, golden.Weights.Length);

        Assert.Equal(BitConverter.SingleToUInt32Bits(golden.Dot), BitConverter.SingleToUInt32Bits(actual));
    }

    private static void AssertSameBlocks(TensorType type, byte[] expected, byte[] actual)
    {
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        for (var offset = 0; offset < expected.Length; offset += blockBytes)
            Assert.True(expected.AsSpan(offset, blockBytes).SequenceEqual(actual.AsSpan(offset, blockBytes)),
                $"{type} block {offset / blockBytes}: ggml {Convert.ToHexString(expected, offset, blockBytes)}, got {Convert.ToHexString(actual, offset, blockBytes)}");
    }
}
