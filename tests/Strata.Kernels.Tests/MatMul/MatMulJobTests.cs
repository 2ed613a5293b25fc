using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Tests.MatMul;

public sealed unsafe class MatMulJobTests
{
    private const int Batch = 6; // one tile of four tokens and two single ones

    public static TheoryData<TensorType, int, int> Shapes => new()
    {
        { TensorType.Q4_0, 24, 96 },  // interleaved, last group half full
        { TensorType.Q4_0, 40, 64 },
        { TensorType.Q4_0, 13, 96 },  // row layout (13 % 8 != 0), odd pair count
        { TensorType.Q8_0, 13, 96 },
        { TensorType.Q8_0, 32, 32 },
        { TensorType.F32, 13, 80 },   // four accumulators and a tail
        { TensorType.F32, 7, 160 },   // one accumulator (a multiple of 16)
        { TensorType.F16, 11, 208 },
        { TensorType.BF16, 11, 96 },
        { TensorType.Q4_K, 24, 512 },  // interleaved, last group half full
        { TensorType.Q4_K, 9, 512 },   // 9 % 8 != 0: the scalar reference path
        { TensorType.Q5_K, 17, 256 },
        { TensorType.Q6_K, 9, 512 },
        { TensorType.Q2_K, 24, 768 },  // interleaved, last group half full
        { TensorType.Q2_K, 9, 256 },   // 9 % 8 != 0: the generic row path
        { TensorType.Q5_0, 5, 64 },   // generic scalar path
        { TensorType.Q4_1, 5, 64 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Run_EverySimdLevel_MatchesReferenceDotsAndEachOther(TensorType type, int rows, int cols)
    {
        using var weights = RandomWeights(new Random(rows * 31 + cols + (int)type), type, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, type, rows, cols));
        using var input = Gaussian(new Random(7), Batch * cols);
        var expected = ReferenceProducts(weights, type, rows, cols, input, out var magnitudes);

        float[]? scalar = null;
        foreach (var level in SimdSupport.Supported)
        {
            var actual = Multiply(packed, input, Batch, level, threads: 2);
            for (var i = 0; i < actual.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * magnitudes[i] + 1e-30,
                    $"{type} {level} output {i}: {actual[i]:R}, reference {expected[i]:R}");
            }
            scalar ??= actual;
            Assert.Equal(scalar, actual);
        }
    }

    public static TheoryData<TensorType, int, int> KQuantShapes => new()
    {
        { TensorType.Q4_K, 8, 256 },    // one half-full group
        { TensorType.Q4_K, 40, 768 },
        { TensorType.Q5_K, 13, 512 },   // a group with 13 rows
        { TensorType.Q5_K, 32, 256 },   // one super-block
        { TensorType.Q5_K, 17, 768 },   // a group with one row
        { TensorType.Q6_K, 17, 768 },   // a group with one row
        { TensorType.Q6_K, 32, 256 },
        { TensorType.Q6_K, 9, 256 },    // one super-block, a group with nine rows
        { TensorType.Q3_K, 21, 512 },
        { TensorType.Q2_K, 8, 256 },    // one half-full group
        { TensorType.Q2_K, 24, 512 },
        { TensorType.Q2_K, 40, 768 },
    };

    /// <summary>
    /// The repacked K-quant kernels follow ggml's x86 orders exactly (see <see cref="X86KQuantReference"/>), for token
    /// tiles of eight and four and single tokens (batches of one to five and 13), at every SIMD level.
    /// </summary>
    [Theory]
    [MemberData(nameof(KQuantShapes))]
    public void Run_KQuants_EqualGgmlX86OrderBitForBit(TensorType type, int rows, int cols)
    {
        const int batch = 13;
        using var weights = RandomWeights(new Random(rows + cols + (int)type), type, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, type, rows, cols));
        using var input = Gaussian(new Random(11), batch * cols);
        var rowBytes = (int)TensorTypeInfo.RowBytes(type, cols);
        var expected = new float[batch * rows];
        for (var t = 0; t < batch; t++)
        {
            var activation = new byte[TensorTypeInfo.RowBytes(TensorType.Q8_K, cols)];
            ActivationQuantizer.QuantizeRow(TensorType.Q8_K, new ReadOnlySpan<float>(input.Pointer + t * cols, cols), activation);
            for (var r = 0; r < rows; r++)
                expected[t * rows + r] = X86KQuantReference.Dot(type, weights.Slice((long)r * rowBytes, rowBytes), activation);
        }

        foreach (var level in SimdSupport.Supported)
        {
            foreach (var tokens in (int[])[1, 2, 3, 4, 5, batch])
            {
                var actual = Multiply(packed, input, tokens, level, threads: 2);
                for (var i = 0; i < actual.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{type} {level} batch {tokens} token {i / rows} row {i % rows}: {actual[i]:R}, ggml's order gives {expected[i]:R}");
            }
        }
    }

    /// <summary>The managed BF16 kernel, which CPUs without AVX512_BF16 run (here it is asked for by its layout).</summary>
    [Theory]
    [InlineData(17, 96, 6)]    // only a tail
    [InlineData(9, 320, 6)]    // five 64-element steps
    [InlineData(6, 2112, 6)]   // steps and a tail
    [InlineData(5, 8256, 23)]  // token blocks of 12 (AVX-512): one whole, one of two tiles and three single tokens
    public void Run_BF16_EqualsVdpbf16OrderBitForBit(int rows, int cols, int batch)
    {
        using var weights = RandomWeights(new Random(rows + cols), TensorType.BF16, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, TensorType.BF16, rows, cols), MatrixLayout.BF16Rows);
        using var input = Gaussian(new Random(12), batch * cols);
        var bf16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(weights.Span);
        foreach (var level in SimdSupport.Supported)
        {
            var actual = Multiply(packed, input, batch, level, threads: 2);
            for (var t = 0; t < batch; t++)
            {
                for (var r = 0; r < rows; r++)
                {
                    var expected = VdpbfReference.Dot(bf16.Slice(r * cols, cols), new ReadOnlySpan<float>(input.Pointer + t * cols, cols));
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[t * rows + r]),
                        $"{level} token {t} row {r}: {actual[t * rows + r]:R}, vdpbf16ps order gives {expected:R}");
                }
            }
        }
    }

    [Theory]
    [InlineData(TensorType.Q4_0)]
    [InlineData(TensorType.Q8_0)]
    [InlineData(TensorType.F32)]
    [InlineData(TensorType.F16)]
    [InlineData(TensorType.BF16)]
    [InlineData(TensorType.Q4_K)]
    [InlineData(TensorType.Q5_K)]
    [InlineData(TensorType.Q6_K)]
    [InlineData(TensorType.Q3_K)]
    [InlineData(TensorType.Q2_K)]
    public void Run_TokenInAnyBatchOrThreadCount_GivesTheSameBits(TensorType type)
    {
        const int rows = 48, cols = 256, batch = 13;
        using var weights = RandomWeights(new Random(3), type, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, type, rows, cols));
        using var input = Gaussian(new Random(4), batch * cols);
        var together = Multiply(packed, input, batch, SimdSupport.Level, threads: 2);
        for (var t = 0; t < batch; t++)
        {
            var alone = Multiply(packed, new NativeBufferView(input.Pointer + t * cols), 1, SimdSupport.Level, threads: 1);
            Assert.Equal(together.AsSpan(t * rows, rows).ToArray(), alone);
        }
    }

    /// <summary>Batches of 1 to 7 tokens: every count of tokens left over from whole tiles of four, at every SIMD level.</summary>
    [Theory]
    [InlineData(TensorType.Q4_0)]
    [InlineData(TensorType.Q4_K)]
    public void Run_EveryCountLeftOverFromWholeTiles_GivesTheScalarBits(TensorType type)
    {
        const int rows = 40, cols = 256;
        using var weights = RandomWeights(new Random(5), type, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, type, rows, cols));
        for (var batch = 1; batch <= 7; batch++)
        {
            using var input = Gaussian(new Random(batch), batch * cols);
            var scalar = Multiply(packed, input, batch, SimdLevel.Scalar, threads: 1);
            foreach (var level in SimdSupport.Supported)
                Assert.Equal(scalar, Multiply(packed, input, batch, level, threads: 2));
        }
    }

    /// <summary>
    /// A job reused as the engine reuses it: pooled buffers first grown by a larger batch of other values, the input
    /// followed by NaNs, the output filled with NaNs, single tokens and a tile plus a tail, one to three threads, run
    /// again and again. Every run must give the scalar kernel's bits: a kernel reading bytes it does not own (past a
    /// super-block, a row group or the input) or a race between workers shows here.
    /// </summary>
    [Theory]
    [InlineData(TensorType.Q4_0)]
    [InlineData(TensorType.Q8_0)]
    [InlineData(TensorType.F16)]
    [InlineData(TensorType.BF16)]
    [InlineData(TensorType.Q4_K)]
    [InlineData(TensorType.Q5_K)]
    [InlineData(TensorType.Q6_K)]
    [InlineData(TensorType.Q3_K)]
    [InlineData(TensorType.Q2_K)]
    public void Run_ReusedOverGarbage_EveryRunGivesTheScalarBits(TensorType type)
    {
        const int rows = 40, cols = 768, runs = 12;
        using var weights = RandomWeights(new Random(13), type, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, type, rows, cols));
        using var warmInput = Gaussian(new Random(14), 16 * cols);
        foreach (var batch in new[] { 1, 3, 9 })
        {
            using var input = new NativeBuffer<float>((long)(batch + 1) * cols);
            QuantTestData.Gaussian(new Random(15 + batch), batch * cols).CopyTo(input.Span);
            input.Span[(batch * cols)..].Fill(float.NaN);
            var expected = Multiply(packed, new NativeBufferView(input.Pointer), batch, SimdLevel.Scalar, threads: 1);
            foreach (var threads in new[] { 1, 3 })
            {
                using var pool = new ComputePool(threads, serialWork: 0);
                using var job = new MatMulJob();
                var output = new float[batch * rows];
                var warm = new float[16 * rows];
                fixed (float* w = warm, y = output)
                {
                    job.Run(pool, packed, warmInput.Pointer, 16, w);
                    for (var run = 0; run < runs; run++)
                    {
                        output.AsSpan().Fill(float.NaN);
                        job.Run(pool, packed, input.Pointer, batch, y);
                        for (var i = 0; i < output.Length; i++)
                            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(output[i]),
                                $"{type} {SimdSupport.Level} batch {batch} threads {threads} run {run} token {i / rows} row {i % rows}: {output[i]:R}, scalar {expected[i]:R}");
                    }
                }
            }
        }
    }

    [Fact]
    public void RunGated_EqualsSwiGluOfTheTwoProjections()
    {
        const int rows = 40, cols = 64;
        using var gateWeights = RandomWeights(new Random(5), TensorType.Q8_0, rows, cols);
        using var upWeights = RandomWeights(new Random(6), TensorType.Q8_0, rows, cols);
        using var gate = PackedMatrix.Create(new WeightMatrix(gateWeights.Pointer, TensorType.Q8_0, rows, cols));
        using var up = PackedMatrix.Create(new WeightMatrix(upWeights.Pointer, TensorType.Q8_0, rows, cols));
        using var input = Gaussian(new Random(8), Batch * cols);
        var g = Multiply(gate, input, Batch, SimdSupport.Level, threads: 1);
        var u = Multiply(up, input, Batch, SimdSupport.Level, threads: 1);
        for (var t = 0; t < Batch; t++)
            Kernels.Ops.SwiGlu.Apply(g.AsSpan(t * rows, rows), u.AsSpan(t * rows, rows), SimdSupport.Level);

        using var pool = new ComputePool(2);
        using var job = new MatMulJob();
        var gated = new float[Batch * rows];
        var upOut = new float[Batch * rows];
        fixed (float* pg = gated, pu = upOut)
            job.RunGated(pool, gate, up, input.Pointer, Batch, pg, pu);
        Assert.Equal(g, gated);
    }

    [Fact]
    public void Run_Accumulate_AddsToTheOutput()
    {
        const int rows = 16, cols = 64;
        using var weights = RandomWeights(new Random(9), TensorType.Q4_0, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, TensorType.Q4_0, rows, cols));
        using var input = Gaussian(new Random(10), cols);
        var product = Multiply(packed, input, 1, SimdSupport.Level, threads: 1);
        var residual = Enumerable.Range(0, rows).Select(i => i * 0.25f).ToArray();
        using var pool = new ComputePool(1);
        using var job = new MatMulJob();
        fixed (float* p = residual)
            job.Run(pool, packed, input.Pointer, 1, p, accumulate: true);
        for (var r = 0; r < rows; r++)
            Assert.Equal(r * 0.25f + product[r], residual[r]);
    }

    [Fact]
    public void Run_SmallProduct_RunsOnTheCallerAndALargeOneOnEveryWorker()
    {
        const int rows = 128, cols = 256;
        using var weights = RandomWeights(new Random(11), TensorType.Q8_0, rows, cols);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, TensorType.Q8_0, rows, cols));
        using var input = Gaussian(new Random(12), 4 * cols);
        using var pool = new ComputePool(2);
        using var job = new MatMulJob();
        var output = new float[4 * rows];
        fixed (float* y = output)
        {
            job.Run(pool, packed, input.Pointer, 1, y); // 32 Ki multiply-adds: not worth waking a worker
            Assert.Equal(0, pool.Dispatches);
            job.Run(pool, packed, input.Pointer, 4, y); // 128 Ki
            Assert.Equal(1, pool.Dispatches);
        }
    }

    private static float[] Multiply(PackedMatrix w, NativeBufferView input, int batch, SimdLevel level, int threads)
    {
        using var pool = new ComputePool(threads, serialWork: 0);
        using var job = new MatMulJob(level);
        var output = new float[batch * w.Rows];
        fixed (float* p = output)
            job.Run(pool, w, input.Pointer, batch, p);
        return output;
    }

    /// <summary>ggml's scalar vec_dot per output, on activations quantized the way the kernels quantize them.</summary>
    private static double[] ReferenceProducts(NativeBuffer<byte> weights, TensorType type, int rows, int cols, NativeBufferView input, out double[] magnitudes)
    {
        var activationType = VecDot.ActivationType(type);
        var rowBytes = (int)TensorTypeInfo.RowBytes(type, cols);
        var expected = new double[Batch * rows];
        magnitudes = new double[Batch * rows];
        var w = new float[cols];
        var a = new float[cols];
        for (var t = 0; t < Batch; t++)
        {
            var x = new ReadOnlySpan<float>(input.Pointer + t * cols, cols);
            var activation = new byte[TensorTypeInfo.RowBytes(activationType, cols)];
            ActivationQuantizer.QuantizeRow(activationType, x, activation);
            Dequantizer.DequantizeRow(activationType, activation, a);
            for (var r = 0; r < rows; r++)
            {
                var row = weights.Slice((long)r * rowBytes, rowBytes);
                expected[t * rows + r] = VecDot.Dot(type, row, activation, cols);
                Dequantizer.DequantizeRow(type, row, w);
                for (var i = 0; i < cols; i++)
                    magnitudes[t * rows + r] += Math.Abs((double)w[i] * a[i]);
            }
        }
        return expected;
    }

    private static NativeBuffer<byte> RandomWeights(Random random, TensorType type, int rows, int cols)
    {
        var data = TensorTypeInfo.BlockElements(type) == 1
            ? QuantTestData.QuantizedRow(random, type, rows * cols)
            : QuantTestData.RandomBlocks(random, type, rows * cols / TensorTypeInfo.BlockElements(type));
        var buffer = new NativeBuffer<byte>(data.Length);
        data.CopyTo(buffer.Span);
        return buffer;
    }

    private static NativeBufferView Gaussian(Random random, int count)
    {
        var values = QuantTestData.Gaussian(random, count);
        var buffer = new NativeBuffer<float>(count);
        values.CopyTo(buffer.Span);
        return new NativeBufferView(buffer);
    }
}
