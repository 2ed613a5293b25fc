using Strata.Kernels.Experts;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Tests.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Tests.Experts;

public sealed unsafe class ExpertMatMulTests
{
    private const int Experts = 6, Width = 96, Cols = 64, Rows = 36;

    /// <summary>Grouping a batch's routes by expert gives every route the bits of that one token through that one expert.</summary>
    [Theory]
    [InlineData(TensorType.Q4_0, 1, 2)]   // decode: the two experts dealt out to the two workers
    [InlineData(TensorType.Q8_0, 2, 3)]
    [InlineData(TensorType.Q4_0, 11, 2)]  // a batch: each expert's rows split over the workers
    [InlineData(TensorType.Q8_0, 9, 3)]
    [InlineData(TensorType.F32, 5, 2)]
    public void Run_GroupedByExpert_EqualsEachRouteAlone(TensorType type, int tokens, int used)
    {
        var random = new Random(tokens * 7 + used);
        using var weights = new ExpertWeights(random, type);
        var input = QuantTestData.Gaussian(random, tokens * Cols);
        // Every token picks distinct experts; expert 5 is left unchosen so a skipped expert is covered too.
        var routes = Enumerable.Range(0, tokens)
            .SelectMany(_ => Enumerable.Range(0, Experts - 1).OrderBy(_ => random.Next()).Take(used))
            .ToArray();

        using var pool = new ComputePool(2);
        using var matmul = new MatMulJob();
        using var experts = new ExpertMatMul();
        var output = new float[routes.Length * Rows];
        fixed (float* x = input, y = output)
            experts.Run(pool, matmul, weights.Gates, weights.Ups, weights.Downs, x, tokens, routes, used, y);

        using var single = new ComputePool(1);
        var gate = new float[Width];
        var up = new float[Width];
        var alone = new float[Rows];
        for (var r = 0; r < routes.Length; r++)
        {
            var e = routes[r];
            fixed (float* x = &input[r / used * Cols], g = gate, u = up, y = alone)
            {
                matmul.RunGated(single, weights.Gates[e], weights.Ups[e], x, 1, g, u);
                matmul.Run(single, weights.Downs[e], g, 1, y);
            }
            Assert.Equal(alone, output.AsSpan(r * Rows, Rows).ToArray());
        }
    }

    [Fact]
    public void Run_ExpertOutOfRange_Throws()
    {
        using var weights = new ExpertWeights(new Random(1), TensorType.Q8_0);
        using var pool = new ComputePool(1);
        using var matmul = new MatMulJob();
        using var experts = new ExpertMatMul();
        var input = new float[Cols];
        var output = new float[Rows];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            fixed (float* x = input, y = output)
                experts.Run(pool, matmul, weights.Gates, weights.Ups, weights.Downs, x, 1, [Experts], 1, y);
        });
    }

    /// <summary>A stack of experts' gate, up and down matrices in one buffer each, as a GGUF's 3-D tensors are.</summary>
    private sealed class ExpertWeights : IDisposable
    {
        private readonly NativeBuffer<byte>[] _buffers;

        public ExpertWeights(Random random, TensorType type)
        {
            _buffers = [Stack(random, type, Width, Cols), Stack(random, type, Width, Cols), Stack(random, type, Rows, Width)];
            Gates = Bind(_buffers[0], type, Width, Cols);
            Ups = Bind(_buffers[1], type, Width, Cols);
            Downs = Bind(_buffers[2], type, Rows, Width);
        }

        public PackedMatrix[] Gates { get; }
        public PackedMatrix[] Ups { get; }
        public PackedMatrix[] Downs { get; }

        public void Dispose()
        {
            foreach (var matrix in Gates.Concat(Ups).Concat(Downs))
                matrix.Dispose();
            foreach (var buffer in _buffers)
                buffer.Dispose();
        }

        private static NativeBuffer<byte> Stack(Random random, TensorType type, int rows, int cols)
        {
            var data = type == TensorType.F32
                ? QuantTestData.QuantizedRow(random, type, Experts * rows * cols)
                : QuantTestData.RandomBlocks(random, type, Experts * rows * cols / TensorTypeInfo.BlockElements(type));
            var buffer = new NativeBuffer<byte>(data.Length);
            data.CopyTo(buffer.Span);
            return buffer;
        }

        private static PackedMatrix[] Bind(NativeBuffer<byte> stack, TensorType type, int rows, int cols)
        {
            var bytes = TensorTypeInfo.RowBytes(type, cols) * rows;
            return Enumerable.Range(0, Experts).Select(e => PackedMatrix.Create(new WeightMatrix(stack.Pointer + e * bytes, type, rows, cols))).ToArray();
        }
    }
}
