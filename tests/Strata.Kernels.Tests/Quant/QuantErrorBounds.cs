using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// How far a dequantized value may be from the value that was quantized, per type: the largest error allowed for one
/// element as a fraction of the largest magnitude in its block, and the RMS error allowed as a fraction of the data's
/// RMS for normally distributed data. The legacy bounds follow from the formats (half a step; a whole step where ggml
/// clamps the top code; plus the fp16 rounding of the scale and min); the K-quant bounds are what their fitted scales
/// achieve on Gaussian data, with headroom.
/// </summary>
internal static class QuantErrorBounds
{
    public static (double MaxOfBlockAmax, double RmsOfRms) For(TensorType type) => type switch
    {
        TensorType.F32 => (0, 0),
        TensorType.F16 => (1.0 / 2048, 0.0003),
        TensorType.BF16 => (1.0 / 256, 0.0025),
        TensorType.Q8_0 or TensorType.Q8_1 => (1.0 / 254 + 1.0 / 2048, 0.0065),
        TensorType.Q4_0 => (1.0 / 8 + 1.0 / 2048, 0.10),
        TensorType.Q5_0 => (1.0 / 16 + 1.0 / 2048, 0.052),
        TensorType.Q4_1 => (2.0 / 30 + 3.0 / 2048, 0.095),
        TensorType.Q5_1 => (2.0 / 62 + 3.0 / 2048, 0.047),
        TensorType.Q8_K => (1.0 / 254, 0.008),
        TensorType.Q2_K => (0.45, 0.36),
        TensorType.Q3_K => (0.25, 0.18),
        TensorType.Q4_K => (0.10, 0.085),
        TensorType.Q5_K => (0.06, 0.043),
        TensorType.Q6_K => (0.025, 0.021),
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>Elements that share a scale: one for the float types (their error is relative to each value).</summary>
    public static int ScaleGroup(TensorType type) =>
        type is TensorType.F32 or TensorType.F16 or TensorType.BF16 ? 1 : TensorTypeInfo.BlockElements(type);

    /// <summary>fp16 subnormals are spaced 2^-24 apart, so below 2^-14 its error is absolute, not relative.</summary>
    private static double AbsoluteFloor(TensorType type) => type == TensorType.F16 ? Math.Pow(2, -25) : 0;

    /// <summary>Whether every |y - x| in the group is within the type's bound; returns the first offender's index or -1.</summary>
    public static int FirstOutOfBound(TensorType type, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var group = ScaleGroup(type);
        var maxFraction = For(type).MaxOfBlockAmax;
        for (var start = 0; start < x.Length; start += group)
        {
            var amax = 0.0;
            for (var i = start; i < start + group; i++)
                amax = Math.Max(amax, Math.Abs(x[i]));
            // The 1e-4 covers the float rounding of the scale arithmetic itself.
            var bound = maxFraction * amax * (1 + 1e-4) + AbsoluteFloor(type);
            for (var i = start; i < start + group; i++)
            {
                if (Math.Abs((double)y[i] - x[i]) > bound)
                    return i;
            }
        }
        return -1;
    }
}
