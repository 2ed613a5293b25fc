using System.Buffers.Binary;
using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

public sealed class QuantizerTests
{
    public static TheoryData<TensorType> AllTypes => new(QuantTestData.AllTypes);

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void QuantizeRow_RandomData_RoundTripsWithinTypeBound(TensorType type)
    {
        const int n = 4096;
        var random = new Random(20 + (int)type);
        var x = QuantTestData.Gaussian(random, n);
        var quantized = new byte[TensorTypeInfo.RowBytes(type, n)];
        var y = new float[n];

        Quantizer.QuantizeRow(type, x, quantized);
        Dequantizer.DequantizeRow(type, quantized, y);

        var outlier = QuantErrorBounds.FirstOutOfBound(type, x, y);
        Assert.True(outlier < 0, outlier < 0 ? "" : $"{type} element {outlier}: {x[outlier]} came back as {y[outlier]}");
        double squaredError = 0, squaredValue = 0;
        for (var i = 0; i < n; i++)
        {
            squaredError += ((double)y[i] - x[i]) * ((double)y[i] - x[i]);
            squaredValue += (double)x[i] * x[i];
        }
        var relativeRms = Math.Sqrt(squaredError / squaredValue);
        Assert.True(relativeRms <= QuantErrorBounds.For(type).RmsOfRms, $"{type} relative RMS error {relativeRms:G4}");
    }

    [Fact]
    public void QuantizeRow_Q8_0HandWorkedBlock_GivesGgmlBytes()
    {
        // amax 127 gives d = 1 exactly; ggml rounds halves away from zero (C roundf).
        var x = new float[32];
        x[0] = 127;
        x[1] = -2.5f;
        x[2] = 2.5f;
        x[3] = 0.5f;
        var block = new byte[34];

        Quantizer.QuantizeRow(TensorType.Q8_0, x, block);

        Assert.Equal(0x3C00, BinaryPrimitives.ReadUInt16LittleEndian(block)); // fp16 1.0
        Assert.Equal([127, unchecked((byte)-3), 3, 1], block[2..6]);
        Assert.All(block[6..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void QuantizeRow_Q4_0HandWorkedBlock_GivesGgmlBytes()
    {
        // The largest magnitude (-8) sets d = -8 / -8 = 1 and lands on q = 0; +8 would need q = 16 and clamps to 15.
        var x = new float[32];
        x[0] = -8;
        x[1] = 8;
        x[16] = 3;
        var block = new byte[18];

        Quantizer.QuantizeRow(TensorType.Q4_0, x, block);

        Assert.Equal(0x3C00, BinaryPrimitives.ReadUInt16LittleEndian(block));
        Assert.Equal(0 | 11 << 4, block[2]); // q[0] = 0, q[16] = 11
        Assert.Equal(15 | 8 << 4, block[3]); // q[1] = 15 (clamped), q[17] = 8 (zero)
    }

    [Fact]
    public void QuantizeRow_AllZeroBlocks_GiveZeroScalesAndZeroValues()
    {
        foreach (var type in QuantTestData.QuantizedTypes)
        {
            var n = TensorTypeInfo.BlockElements(type) * 2;
            var quantized = new byte[TensorTypeInfo.RowBytes(type, n)];
            var y = new float[n];
            Array.Fill(y, float.NaN);

            Quantizer.QuantizeRow(type, new float[n], quantized);
            Dequantizer.DequantizeRow(type, quantized, y);

            Assert.All(y, v => Assert.Equal(0f, v));
        }
    }
}
