using System.Runtime.Intrinsics;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Ops;

/// <summary>Root-mean-square layer normalisation, fused with the learned per-channel weight.</summary>
public static unsafe class RmsNorm
{
    /// <summary>output[i] = input[i] / sqrt(mean(input²) + eps) · weight[i]; all spans have the same length.</summary>
    public static void Apply(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output, SimdLevel level)
    {
        if (weight.Length != input.Length || output.Length != input.Length)
            throw new ArgumentException($"RMSNorm of {input.Length} elements with {weight.Length} weights into {output.Length}");
        fixed (float* x = input, w = weight, y = output)
            Apply(x, w, input.Length, epsilon, y, level);
    }

    /// <summary>input, weight and output are float[n]; output may be input.</summary>
    public static void Apply(float* input, float* weight, int n, float epsilon, float* output, SimdLevel level)
    {
        // Squares are rounded to float and summed in double, one after another, then the scale and both products
        // are rounded to float in ggml's order: the normalised activations then match llama.cpp's to the bit.
        var sum = 0.0;
        for (var i = 0; i < n; i++)
            sum += input[i] * input[i];
        var mean = (float)(sum / n);
        var scale = 1f / MathF.Sqrt(mean + epsilon);
        var j = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; j + 16 <= n; j += 16)
                (Vector512.Load(input + j) * scale * Vector512.Load(weight + j)).Store(output + j);
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; j + 8 <= n; j += 8)
                (Vector256.Load(input + j) * scale * Vector256.Load(weight + j)).Store(output + j);
        }
        for (; j < n; j++)
            output[j] = input[j] * scale * weight[j];
    }
}
