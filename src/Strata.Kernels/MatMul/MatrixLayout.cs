namespace Strata.Kernels.MatMul;

/// <summary>How a <see cref="PackedMatrix"/> stores its weights, which decides the kernel and its summation order.</summary>
public enum MatrixLayout
{
    /// <summary>
    /// Q4_0 with a row count divisible by 8, repacked into groups of 16 rows interleaved four quants at a time, with one
    /// float accumulator per output: the order of ggml's repacked q4_0_8x8 kernels, which llama.cpp uses for these.
    /// </summary>
    Q4_0Interleaved,

    /// <summary>Q4_0 rows as stored, eight float lanes per output like ggml's AVX2 vec_dot and tinyBLAS.</summary>
    Q4_0Rows,

    /// <summary>
    /// Q8_0 regrouped into 16-row groups (per block, the 16 rows' quants side by side, then all scales), eight float
    /// lanes per output like ggml's AVX2 vec_dot and tinyBLAS.
    /// </summary>
    Q8_0Grouped,

    /// <summary>
    /// Q8_0 in 16-row groups like <see cref="Q8_0Grouped"/>, each block lane-major with its quants offset by 128, for
    /// 512-bit vpdpbusd (AVX512_VNNI, through the native seam); the same eight-lane sums: see <see cref="Q8_0LanesKernel"/>.
    /// </summary>
    Q8_0Lanes,

    /// <summary>F32 rows as stored, llamafile's tinyBLAS order for whole 16-lane rows.</summary>
    F32Rows,

    /// <summary>F16 rows as stored, widened a row group at a time; ggml's vec_dot_f16 order.</summary>
    F16Rows,

    /// <summary>BF16 rows as stored; the order of ggml's vec_dot_bf16 with AVX512-BF16 (vdpbf16ps pairs).</summary>
    BF16Rows,

    /// <summary>
    /// BF16 repacked into 16-row groups of bf16 pairs for vdpbf16ps (AVX512_BF16, through the native seam), one f32
    /// lane per output summed over the pairs in order: see <see cref="BF16PairsKernel"/>.
    /// </summary>
    BF16Pairs,

    /// <summary>
    /// Q4_K with a row count divisible by 8, repacked into groups of 16 rows interleaved four quants at a time with the
    /// scales of the group side by side: the order of ggml's repacked q4_K_8x8 GEMV, which llama.cpp uses for these.
    /// </summary>
    Q4_KInterleaved,

    /// <summary>
    /// Q2_K with a row count divisible by 8, interleaved like <see cref="Q4_KInterleaved"/>: the order of ggml's
    /// repacked q2_K_8x8 GEMV, which llama.cpp uses for these on an AVX-512 CPU.
    /// </summary>
    Q2_KInterleaved,

    /// <summary>
    /// Q3_K regrouped into 16-row groups (per super-block, row pairs' quants side by side, scales after all quants; its scales unpacked to int8, 4 bytes a row and
    /// super-block more than stored), eight integer lanes per output like ggml's AVX2 vec_dot.
    /// </summary>
    Q3_KGrouped,

    /// <summary>
    /// Q5_K repacked into groups of 16 rows interleaved four quants at a time (scales after all quants), eight integer
    /// lanes per output like ggml's AVX2 vec_dot, which llama.cpp uses for Q5_K on x86 (it does not repack it there).
    /// </summary>
    Q5_KInterleaved,

    /// <summary>
    /// Q6_K repacked into groups of 16 rows interleaved four quants at a time (scales after all quants), eight integer
    /// lanes per output like ggml's AVX2 vec_dot, which llama.cpp uses for Q6_K on x86 (it does not repack it there).
    /// </summary>
    Q6_KInterleaved,

    /// <summary>Any other type: the scalar reference dot product per output.</summary>
    GenericRows,
}
