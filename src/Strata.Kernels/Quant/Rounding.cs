namespace Strata.Kernels.Quant;

/// <summary>The two float-to-int roundings ggml's quantizers use; they differ on exact halves.</summary>
internal static class Rounding
{
    /// <summary>
    /// ggml's <c>nearest_int</c> (used by the K-quants and Q8_K): round half to even, which is what its
    /// add-1.5·2^23 bit trick does for every input it accepts (|x| below 2^22).
    /// </summary>
    public static int NearestEven(float value) => (int)MathF.Round(value, MidpointRounding.ToEven);

    /// <summary>C's <c>roundf</c> (used by Q8_0 and Q8_1): round half away from zero.</summary>
    public static int AwayFromZero(float value) => (int)MathF.Round(value, MidpointRounding.AwayFromZero);
}
