using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Ops;

namespace Strata.Kernels.Attention;

/// <summary>The accumulator is kept in half precision, as ggml keeps it for an F16 cache.</summary>
internal readonly struct HalfPrecision : IAccumulatorPrecision
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> values) => HalfRounding.Round(values);
}
