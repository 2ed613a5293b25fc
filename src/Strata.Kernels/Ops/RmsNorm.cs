using System.Numerics.Tensors;

namespace Strata.Kernels.Ops;

/// <summary>Root-mean-square layer normalisation, fused with the learned per-channel weight.</summary>
public static class RmsNorm
{
    /// <summary>output[i] = input[i] / sqrt(mean(input²) + eps) · weight[i]; all spans have the same length.</summary>
    public static void Apply(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output)
    {
        var meanSquare = TensorPrimitives.SumOfSquares(input) / input.Length;
        var scale = 1f / MathF.Sqrt(meanSquare + epsilon);
        TensorPrimitives.Multiply(input, scale, output);
        TensorPrimitives.Multiply(output, weight, output);
    }
}
