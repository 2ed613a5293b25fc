using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels.Attention;

/// <summary>The accumulator is kept in single precision (an F32 cache).</summary>
internal readonly struct SinglePrecision : IAccumulatorPrecision
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> values) => values;
}
