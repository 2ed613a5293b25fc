using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

public sealed class DequantizerTests
{
    public static TheoryData<TensorType> QuantizedTypes => new(QuantTestData.QuantizedTypes);

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void DequantizeRow_RandomBlocks_MatchesPerElementFormula(TensorType type)
    {
        const int blocks = 7;
        var random = new Random(10 + (int)type);
        var data = QuantTestData.RandomBlocks(random, type, blocks);
        var blockElements = TensorTypeInfo.BlockElements(type);
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        var values = new float[blocks * blockElements];

        Dequantizer.DequantizeRow(type, data, values);

        for (var i = 0; i < values.Length; i++)
        {
            var block = data.AsSpan(i / blockElements * blockBytes, blockBytes);
            var expected = PerElementReference.Element(type, block, i % blockElements);
            Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(values[i]),
                $"{type} element {i}: expected {expected:R}, got {values[i]:R}");
        }
    }

    [Fact]
    public void DequantizeRow_F16AndBf16_WidenEveryElement()
    {
        var random = new Random(3);
        var halves = new byte[2 * 1024];
        random.NextBytes(halves);
        var f16 = new float[1024];
        var bf16 = new float[1024];

        Dequantizer.DequantizeRow(TensorType.F16, halves, f16);
        Dequantizer.DequantizeRow(TensorType.BF16, halves, bf16);

        for (var i = 0; i < 1024; i++)
        {
            var bits = BitConverter.ToUInt16(halves, 2 * i);
            Assert.Equal(BitConverter.SingleToUInt32Bits(Fp16.ToSingle(bits)), BitConverter.SingleToUInt32Bits(f16[i]));
            Assert.Equal((uint)bits << 16, BitConverter.SingleToUInt32Bits(bf16[i]));
        }
    }

    [Fact]
    public void DequantizeRow_WrongSourceLength_Throws()
    {
        var values = new float[64];
        Assert.Throws<ArgumentException>(() => Dequantizer.DequantizeRow(TensorType.Q4_0, new byte[35], values));
        Assert.Throws<ArgumentException>(() => Dequantizer.DequantizeRow(TensorType.Q4_0, new byte[18], new float[40]));
    }
}
