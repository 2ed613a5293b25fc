using Iced.Intel;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Native;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>
/// The 512-bit vpdpbusd kernels emitted at start-up against the scalar path of <see cref="Q8_0GroupedKernel"/> (ggml's
/// eight-lane order), bit for bit. They need a CPU with AVX512_VNNI; this machine has one, and a test that needs it
/// fails rather than pass without running it.
/// </summary>
public sealed unsafe class Q8_0LanesKernelTests
{
    [Fact]
    public void Seam_IsThereExactlyWhereTheCpuReportsAvx512Vnni_AndQ8_0TakesIt()
    {
        var reported = CpuInfo.Reports("avx512_vnni");
        Assert.Equal(reported, CpuFeatures.Avx512Vnni);
        Assert.Equal(reported, Q8_0TileKernels.IsSupported);
        RequireInstruction();
        using var weights = new NativeBuffer<byte>(2 * Q8_0Block.Bytes);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, TensorType.Q8_0, 2, 32));
        Assert.Equal(MatrixLayout.Q8_0Lanes, packed.Layout);
    }

    [Theory]
    [InlineData(1, 32, 1)]       // one block, one row: decode with one group
    [InlineData(17, 96, 2)]      // a group of one row; one tile of two tokens
    [InlineData(37, 96, 7)]      // three groups (decode takes them in one call); tiles of three and one
    [InlineData(40, 2080, 1)]    // decode: a call of three groups (the last of eight rows)
    [InlineData(20, 2080, 1)]    // decode: a call of two groups
    [InlineData(70, 160, 40)]    // five groups, 13 tiles of three and one of one
    [InlineData(24, 32768, 7)]   // token blocks of six (1 MiB of lines per token block), then one token alone
    [InlineData(64, 256, 32)]    // whole groups
    public void Run_EqualsTheScalarGroupedKernelBitForBit(int rows, int cols, int batch)
    {
        RequireInstruction();
        var random = new Random(rows * 7919 + cols + batch);
        // Random bytes: quants reach −128 and 127, the ends the offset by 128 must keep exact.
        var blocks = QuantTestData.RandomBlocks(random, TensorType.Q8_0, rows * cols / 32);
        using var weights = new NativeBuffer<byte>(blocks.Length);
        blocks.CopyTo(weights.Span);
        var source = new WeightMatrix(weights.Pointer, TensorType.Q8_0, rows, cols);
        using var lanes = PackedMatrix.Create(source, MatrixLayout.Q8_0Lanes);
        using var grouped = PackedMatrix.Create(source, MatrixLayout.Q8_0Grouped);
        var input = QuantTestData.Gaussian(random, batch * cols);
        var expected = Scalar(grouped, input, batch);
        using var x = new NativeBuffer<float>(input.Length);
        input.CopyTo(x.Span);
        foreach (var threads in new[] { 1, 2 })
        {
            using var pool = new ComputePool(threads);
            using var job = new MatMulJob();
            var output = new float[batch * rows];
            fixed (float* y = output)
                job.Run(pool, lanes, x.Pointer, batch, y);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(output[i]),
                    $"{threads} threads, token {i / rows} row {i % rows}: {output[i]:R}, scalar {expected[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Emit_DecodeGemvLeavesPrefetchToTheHardware_TilesPrefetchTheNextGroup(int groups)
    {
        static int Prefetches(Assembler kernel) => kernel.Instructions.Count(i => i.Mnemonic is Mnemonic.Prefetcht0);
        Assert.Equal(0, Prefetches(Q8_0TileKernels.Emit(groups, 1, prefetch: false)));
        Assert.Equal(groups * (Q8_0TileKernels.AheadLines + 1), Prefetches(Q8_0TileKernels.Emit(groups, 1, prefetch: true)));
    }

    [Fact]
    public void TokenBlock_SplitsLongRowsIntoWholeTiles()
    {
        Assert.Equal(6, Q8_0LanesKernel.TokenBlock(32768));
        Assert.Equal(3, Q8_0LanesKernel.TokenBlock(1 << 20));
    }

    /// <summary>The scalar path of the grouped kernel: each lane's integer sum, one FMA per lane and block, hsum_float_8.</summary>
    private static float[] Scalar(PackedMatrix grouped, float[] input, int batch)
    {
        using var activations = new QuantizedActivations(ActivationFormat.Q8_0);
        var output = new float[batch * grouped.Rows];
        fixed (float* x = input)
        fixed (float* y = output)
        {
            activations.Prepare(x, batch, grouped.Cols);
            activations.ConvertRows(0, batch, SimdLevel.Scalar);
            Q8_0GroupedKernel.Run(grouped, 0, grouped.Groups, activations, new MatMulOutput(y, grouped.Rows, false), SimdLevel.Scalar, vnni: false);
        }
        return output;
    }

    private static void RequireInstruction() =>
        Assert.True(Q8_0TileKernels.IsSupported,
            "this CPU lacks AVX512_VNNI or the OS refused to map code: the vpdpbusd kernels cannot be tested here");
}
