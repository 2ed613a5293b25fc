using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Tests.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Tests.MatMul;

public sealed unsafe class HeadwiseMatMulJobTests
{
    /// <summary>Each head's rows through its own matrix, whatever the workers, equal a plain matmul of that head.</summary>
    [Theory]
    [InlineData(TensorType.Q8_0, 4, 3, 1)]
    [InlineData(TensorType.Q4_0, 5, 9, 2)]
    [InlineData(TensorType.F32, 3, 2, 3)]
    public void Run_EveryHead_EqualsItsOwnMatMul(TensorType type, int heads, int tokens, int threads)
    {
        const int rows = 40, cols = 64;
        var random = new Random(heads * 13 + tokens);
        var data = type == TensorType.F32
            ? QuantTestData.QuantizedRow(random, type, heads * rows * cols)
            : QuantTestData.RandomBlocks(random, type, heads * rows * cols / TensorTypeInfo.BlockElements(type));
        using var stack = new NativeBuffer<byte>(data.Length);
        data.CopyTo(stack.Span);
        var bytes = TensorTypeInfo.RowBytes(type, cols) * rows;
        var weights = Enumerable.Range(0, heads).Select(h => PackedMatrix.Create(new WeightMatrix(stack.Pointer + h * bytes, type, rows, cols))).ToArray();
        var input = QuantTestData.Gaussian(random, heads * tokens * cols);

        using var pool = new ComputePool(threads);
        using var job = new HeadwiseMatMulJob(Strata.Kernels.Simd.SimdSupport.Level);
        var output = new float[heads * tokens * rows];
        fixed (float* x = input, y = output)
            job.Run(pool, weights, x, tokens * cols, tokens, y, tokens * rows);

        using var single = new ComputePool(1);
        using var plain = new MatMulJob();
        var expected = new float[tokens * rows];
        for (var h = 0; h < heads; h++)
        {
            fixed (float* x = &input[h * tokens * cols], y = expected)
                plain.Run(single, weights[h], x, tokens, y);
            Assert.Equal(expected, output.AsSpan(h * tokens * rows, tokens * rows).ToArray());
        }
        foreach (var matrix in weights)
            matrix.Dispose();
    }
}
