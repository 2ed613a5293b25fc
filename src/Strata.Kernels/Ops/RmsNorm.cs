namespace Strata.Kernels.Ops;

/// <summary>Root-mean-square layer normalisation, fused with the learned per-channel weight.</summary>
public static class RmsNorm
{
    /// <summary>output[i] = input[i] / sqrt(mean(input²) + eps) · weight[i]; all spans have the same length.</summary>
    public static void Apply(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output)
    {
        // Squares are rounded to float and summed in double, then the scale and both products are rounded to
        // float in ggml's order: the normalised activations then match llama.cpp's to the bit.
        var sum = 0.0;
        foreach (var x in input)
            sum += x * x;
        var mean = (float)(sum / input.Length);
        var scale = 1f / MathF.Sqrt(mean + epsilon);
        for (var i = 0; i < input.Length; i++)
            output[i] = input[i] * scale * weight[i];
    }
}
