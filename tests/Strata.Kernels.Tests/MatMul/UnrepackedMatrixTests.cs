using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.MatMul;

public sealed unsafe class UnrepackedMatrixTests
{
    /// <summary>ggml repacks 2-D Q4_0 weights of a multiple of 8 rows, not the slices of a 3-D tensor in a plain matmul.</summary>
    [Theory]
    [InlineData(TensorType.Q4_0, 24, MatrixLayout.Q4_0Interleaved, MatrixLayout.Q4_0Rows)]
    [InlineData(TensorType.Q4_0, 13, MatrixLayout.Q4_0Rows, MatrixLayout.Q4_0Rows)]
    [InlineData(TensorType.Q8_0, 24, MatrixLayout.Q8_0Lanes, MatrixLayout.Q8_0Lanes)] // this CPU has AVX512_VNNI (see Q8_0LanesKernelTests)
    [InlineData(TensorType.F32, 24, MatrixLayout.F32Rows, MatrixLayout.F32Rows)]
    public void CreateUnrepacked_KeepsTheOrderGgmlUsesForUnrepackedWeights(TensorType type, int rows, MatrixLayout packed, MatrixLayout unrepacked)
    {
        const int cols = 64;
        var data = type == TensorType.F32
            ? QuantTestData.QuantizedRow(new Random(1), type, rows * cols)
            : QuantTestData.RandomBlocks(new Random(1), type, rows * cols / TensorTypeInfo.BlockElements(type));
        using var buffer = new NativeBuffer<byte>(data.Length);
        data.CopyTo(buffer.Span);
        var source = new WeightMatrix(buffer.Pointer, type, rows, cols);

        using var repacked = PackedMatrix.Create(source);
        using var rowsOnly = PackedMatrix.CreateUnrepacked(source);

        Assert.Equal(packed, repacked.Layout);
        Assert.Equal(unrepacked, rowsOnly.Layout);
    }
}
