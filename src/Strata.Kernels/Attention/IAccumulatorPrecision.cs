using System.Runtime.Intrinsics;

namespace Strata.Kernels.Attention;

/// <summary>How the attention accumulator stores its values: rounded to half precision (an F16 cache) or not.</summary>
internal interface IAccumulatorPrecision
{
    static abstract Vector512<float> Round(Vector512<float> values);
}
