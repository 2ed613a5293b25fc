namespace Strata.Kernels.Attention;

/// <summary>
/// Query rows quantized to Q8_0 for a quantized K cache, as ggml's x86 backend quantizes them: quants
/// [rows, headDim] and the scale of each 32 (its fp16 value widened) [rows, headDim / 32].
/// </summary>
public readonly unsafe struct Q8_0Queries(sbyte* quants, float* scales)
{
    public sbyte* Quants { get; } = quants;

    public float* Scales { get; } = scales;
}
