namespace Strata.Kernels.Simd;

/// <summary>
/// The instruction sets a kernel may use. Every level computes bit-identical results (each kernel fixes one
/// accumulation order and the narrower levels emulate it lane for lane); the level only changes the speed.
/// </summary>
public enum SimdLevel
{
    /// <summary>Plain scalar code: the fallback and the oracle the vector paths are tested against.</summary>
    Scalar,

    /// <summary>256-bit vectors: AVX2, FMA and BMI.</summary>
    Avx2,

    /// <summary>512-bit vectors: AVX-512 F, BW and DQ.</summary>
    Avx512,
}
