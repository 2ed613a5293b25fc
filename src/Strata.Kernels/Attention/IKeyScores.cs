using System.Runtime.Intrinsics;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Attention;

/// <summary>
/// Where the attention's scores q·k come from: keys widened to float (an F16 or F32 cache) or kept quantized (a Q8_0
/// or Q4_0 cache). Implemented by structs so the JIT specializes the softmax loop for each.
/// </summary>
internal interface IKeyScores
{
    /// <summary>Whether <see cref="Sixteen"/> works at this level.</summary>
    bool HasSixteen(SimdLevel level);

    /// <summary>Readies keys <paramref name="group"/> .. group + <paramref name="count"/> − 1 (≤ 16) for <see cref="Sixteen"/>, once for every row that scores them.</summary>
    void Prepare(int group, int count);

    /// <summary>AVX-512: lane j = q_row·k_(group + j) for <paramref name="count"/> ≤ 16 keys; the other lanes are finite.</summary>
    Vector512<float> Sixteen(int row, int group, int count);

    /// <summary>q_row·k_key at any level.</summary>
    float One(int row, int key, SimdLevel level);
}
