using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>
/// ggml's vec_dot_bf16 on a CPU with AVX512-BF16, written plainly: two vdpbf16ps accumulators of 16 lanes over each
/// 64 elements (lane j: the odd element of pair j, then the even one, each added with one rounding), each reduced as
/// _mm512_reduce_add_ps, then summed in double with the tail's float products.
/// </summary>
internal static class VdpbfReference
{
    public static float Dot(ReadOnlySpan<ushort> weights, ReadOnlySpan<float> activations)
    {
        var c = new float[2, 16];
        var steps = weights.Length / 64 * 64;
        for (var i = 0; i < steps; i += 64)
        {
            for (var half = 0; half < 2; half++)
            {
                for (var j = 0; j < 16; j++)
                {
                    var e = i + 32 * half + 2 * j;
                    c[half, j] = MathF.FusedMultiplyAdd(Bf16.ToSingle(weights[e + 1]), Round(activations[e + 1]), c[half, j]);
                    c[half, j] = MathF.FusedMultiplyAdd(Bf16.ToSingle(weights[e]), Round(activations[e]), c[half, j]);
                }
            }
        }
        double sum = 0;
        sum += Reduce(c, 0);
        sum += Reduce(c, 1);
        for (var i = steps; i < weights.Length; i++)
            sum += Bf16.ToSingle(weights[i]) * Round(activations[i]);
        return (float)sum;
    }

    private static float Round(float x) => Bf16.ToSingle(Bf16.FromSingle(x));

    /// <summary>_mm512_reduce_add_ps: halves, quarters, then (0 + 2) + (1 + 3).</summary>
    private static float Reduce(float[,] c, int half)
    {
        Span<float> quarter = stackalloc float[4];
        for (var l = 0; l < 4; l++)
            quarter[l] = (c[half, 12 + l] + c[half, 4 + l]) + (c[half, 8 + l] + c[half, l]);
        return (quarter[0] + quarter[2]) + (quarter[1] + quarter[3]);
    }
}
