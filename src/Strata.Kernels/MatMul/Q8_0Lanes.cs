using System.Runtime.Intrinsics;

namespace Strata.Kernels.MatMul;

/// <summary>Q8_0 blocks (fp16 d, int8 qs[32]) for <see cref="EightLaneKernel"/>.</summary>
internal readonly unsafe struct Q8_0Lanes : IEightLaneBlock
{
    public static int Bytes => 34;

    public static Vector256<sbyte> Load(byte* block) => Vector256.Load((sbyte*)(block + 2));

    public static int Quant(byte* block, int i) => ((sbyte*)(block + 2))[i];
}
