namespace Strata.Kernels.MatMul;

/// <summary>What the activations of a matmul are converted to before the kernels of a <see cref="MatrixLayout"/> read them.</summary>
internal enum ActivationFormat
{
    /// <summary>The float rows as given (F32 weights).</summary>
    Float,

    /// <summary>Floats rounded to half precision, as ggml converts activations for F16 weights.</summary>
    Half,

    /// <summary>
    /// Floats rounded to bfloat16, as ggml converts activations for BF16 weights, each 32 split into odd and even lanes
    /// the way vdpbf16ps pairs them.
    /// </summary>
    BFloat,

    /// <summary>
    /// Floats rounded to bfloat16 as pairs (element 2p in the low half), interleaved per tile of tokens for the
    /// vdpbf16ps kernels: see <see cref="QuantizedActivations.PairTile"/>.
    /// </summary>
    BFloatPairs,

    /// <summary>Q8_0 with ggml's x86 numerics, split into int8 quants, float scales and per-block quant sums.</summary>
    Q8_0,

    /// <summary>
    /// Q8_0 as above with, for the vpdpbusd kernels, each block's quants and lane starts side by side in a 64-byte line:
    /// see <see cref="QuantizedActivations.Lines"/>.
    /// </summary>
    Q8_0Lanes,

    /// <summary>
    /// Q8_K with ggml's numerics (its reference quantizer, which its x86 backend uses), split for the K-quant kernels into
    /// int8 quants, a float scale per 256, int16 sums of each 16 quants and, per 256, the sums of the eight groups of 32
    /// packed as int16 pairs (see <see cref="QuantizedActivations.PairSums"/>).
    /// </summary>
    Q8_K,

    /// <summary>Activations in ggml's own block layout of <c>VecDot.ActivationType(weights)</c> (Q8_0, Q8_1 or Q8_K).</summary>
    Q8_0Blocks,
    Q8_1Blocks,
    Q8_KBlocks,
}
