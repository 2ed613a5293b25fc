using System.Runtime.InteropServices;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Native;
using Strata.Kernels.Quant;
using Strata.Kernels.Tests.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>
/// The vdpbf16ps kernels emitted at start-up against <see cref="Vdpbf16psModel"/>, bit for bit. They need a CPU with
/// AVX512_BF16; this machine has one, and a test that needs it fails rather than pass without running it.
/// </summary>
public sealed unsafe class BF16PairsKernelTests
{
    [Fact]
    public void Seam_IsThereExactlyWhereTheCpuReportsAvx512Bf16()
    {
        var reported = CpuInfo.Reports("avx512_bf16");
        Assert.Equal(reported, CpuFeatures.Avx512Bf16);
        Assert.Equal(reported, Bf16TileKernels.IsSupported);
        RequireInstruction();
        using var weights = new NativeBuffer<byte>(2 * 64);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, TensorType.BF16, 2, 32));
        Assert.Equal(MatrixLayout.BF16Pairs, packed.Layout);
    }

    [Theory]
    [InlineData(1, 1, 1)]        // one element: a pair with a zero odd half, one partial group
    [InlineData(13, 7, 1)]       // only the remainder loop
    [InlineData(17, 33, 5)]      // a group of one row; one partial tile
    [InlineData(40, 130, 13)]    // 65 pairs: unrolled loop and remainder; a whole tile and one token
    [InlineData(70, 2051, 29)]   // five groups (two calls of two and one of one for whole tiles, 4 + 1 for one token)
    [InlineData(3, 40001, 29)]   // token blocks of one tile each (20001 pairs fill the L2 budget)
    [InlineData(64, 256, 24)]    // whole groups, whole tiles
    public void Run_EqualsTheVdpbf16psModelBitForBit(int rows, int cols, int batch)
    {
        RequireInstruction();
        var random = new Random(rows * 7919 + cols);
        var weights = new ushort[rows * cols];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = Bf16.FromSingle((float)(random.NextDouble() * 2 - 1) * 0.1f);
        var input = QuantTestData.Gaussian(random, batch * cols);
        AssertEqualsModel(weights, input, rows, cols, batch);
    }

    /// <summary>
    /// Weights and activations whose products straddle f32's smallest normal (2^-126): bf16 denormals among them (read
    /// as zero) and sums that fall into the denormal range (flushed), which a plain FMA would keep.
    /// </summary>
    [Fact]
    public void Run_DenormalInputsAndResults_AreFlushedAsTheModelSays()
    {
        RequireInstruction();
        const int rows = 20, cols = 97, batch = 7;
        var random = new Random(5);
        var weights = new ushort[rows * cols];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = random.Next(8) == 0 ? RandomBf16(random, 0, 0) : RandomBf16(random, 55, 70);
        var input = new float[batch * cols];
        for (var i = 0; i < input.Length; i++)
            input[i] = Bf16.ToSingle(RandomBf16(random, 0, 70));
        var flushed = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var t = 0; t < batch; t++)
            {
                var w = weights.AsSpan(r * cols, cols);
                var x = input.AsSpan(t * cols, cols);
                if (Vdpbf16psModel.SerialDot(w, x) != PlainFmaDot(w, x))
                    flushed++;
            }
        }
        Assert.True(flushed > 0, "the data should reach denormals, or this test shows nothing");
        AssertEqualsModel(weights, input, rows, cols, batch);
    }

    private static void AssertEqualsModel(ushort[] weights, float[] input, int rows, int cols, int batch)
    {
        using var w = new NativeBuffer<byte>(2L * weights.Length);
        MemoryMarshal.AsBytes(weights.AsSpan()).CopyTo(w.Span);
        using var packed = PackedMatrix.Create(new WeightMatrix(w.Pointer, TensorType.BF16, rows, cols), MatrixLayout.BF16Pairs);
        using var x = new NativeBuffer<float>(input.Length);
        input.CopyTo(x.Span);
        foreach (var threads in new[] { 1, 2 })
        {
            using var pool = new ComputePool(threads);
            using var job = new MatMulJob();
            var output = new float[batch * rows];
            fixed (float* y = output)
                job.Run(pool, packed, x.Pointer, batch, y);
            for (var t = 0; t < batch; t++)
            {
                for (var r = 0; r < rows; r++)
                {
                    var expected = Vdpbf16psModel.SerialDot(weights.AsSpan(r * cols, cols), input.AsSpan(t * cols, cols));
                    var actual = output[t * rows + r];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"{threads} threads, token {t} row {r}: {actual:R}, vdpbf16ps model gives {expected:R}");
                }
            }
        }
    }

    /// <summary>The same order without flushing: where it differs, the data reached denormals.</summary>
    private static float PlainFmaDot(ReadOnlySpan<ushort> weights, ReadOnlySpan<float> activations)
    {
        var sum = 0f;
        for (var e = 0; e < weights.Length; e += 2)
        {
            if (e + 1 < weights.Length)
                sum = MathF.FusedMultiplyAdd(Bf16.ToSingle(weights[e + 1]), Bf16.ToSingle(Bf16.FromSingle(activations[e + 1])), sum);
            sum = MathF.FusedMultiplyAdd(Bf16.ToSingle(weights[e]), Bf16.ToSingle(Bf16.FromSingle(activations[e])), sum);
        }
        return sum;
    }

    /// <summary>A bf16 of random sign and mantissa with a biased exponent in [min, max] (0: denormal or zero).</summary>
    private static ushort RandomBf16(Random random, int min, int max) =>
        (ushort)(random.Next(2) << 15 | random.Next(min, max + 1) << 7 | random.Next(128));

    private static void RequireInstruction() =>
        Assert.True(Bf16TileKernels.IsSupported,
            "this CPU lacks AVX512_BF16 or the OS refused to map code: the vdpbf16ps kernels cannot be tested here");
}
