using System.Runtime.Intrinsics.X86;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>
/// Every path of the Q8_0 kernel (token tiles, the sign-trick GEMVs and, where the CPU has it, the AVX-VNNI GEMV) gives
/// the scalar kernel's bits: the paths a CPU with AVX-VNNI would skip are reached by turning it off.
/// </summary>
public sealed unsafe class Q8_0GroupedKernelTests
{
    [Theory]
    [InlineData(37, 96, 7)]   // three groups, the last of five rows; a tile of four tokens and three single ones
    [InlineData(24, 2080, 2)] // a last group of eight rows (one half); single tokens only
    public void Run_EveryPathAndSimdLevel_EqualsScalarBitForBit(int rows, int cols, int batch)
    {
        var random = new Random(rows + cols);
        using var weights = new NativeBuffer<byte>(rows * cols / 32 * Q8_0Block.Bytes);
        QuantTestData.RandomBlocks(random, TensorType.Q8_0, rows * cols / 32).CopyTo(weights.Span);
        using var packed = PackedMatrix.Create(new WeightMatrix(weights.Pointer, TensorType.Q8_0, rows, cols), MatrixLayout.Q8_0Grouped);
        using var activations = new QuantizedActivations(QuantizedActivations.FormatFor(packed.Layout, packed.Type));
        var input = QuantTestData.Gaussian(random, batch * cols);
        fixed (float* x = input)
        {
            activations.Prepare(x, batch, cols);
            activations.ConvertRows(0, batch, SimdLevel.Scalar);
            var expected = Multiply(packed, activations, batch, SimdLevel.Scalar, vnni: false);
            foreach (var level in SimdSupport.Supported.Where(l => l != SimdLevel.Scalar))
            {
                foreach (var vnni in AvxVnni.IsSupported ? new[] { false, true } : [false])
                {
                    var actual = Multiply(packed, activations, batch, level, vnni);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                            $"{level} vnni {vnni} token {i / rows} row {i % rows}: {actual[i]:R}, scalar {expected[i]:R}");
                    }
                }
            }
        }
    }

    private static float[] Multiply(PackedMatrix w, QuantizedActivations a, int batch, SimdLevel level, bool vnni)
    {
        var output = new float[batch * w.Rows];
        fixed (float* y = output)
            Q8_0GroupedKernel.Run(w, 0, w.Groups, a, new MatMulOutput(y, w.Rows, false), level, vnni);
        return output;
    }
}
