using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.Ops;

/// <summary>
/// A 16-lane single-precision e^x: the range reduction and polynomial of Arm's optimized-routines expf (max error
/// about 1.5 ulp), which ggml also uses for its vectorised SiLU. Using the same approximation keeps our SwiGLU
/// outputs identical to llama.cpp's instead of one ulp away.
/// </summary>
internal static class VectorExp
{
    public static bool IsSupported => Avx512F.IsSupported;

    public static Vector512<float> Exp(Vector512<float> x)
    {
        var shifter = Vector512.Create(12582912f);
        // n = round(x / ln 2), b = x − n·ln 2 (ln 2 split in a high and a low part for accuracy)
        var z = Avx512F.FusedMultiplyAdd(x, Vector512.Create(1.44269502f), shifter);
        var n = z - shifter;
        var b = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(1.42860677e-06f),
            Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(0.693145752f), x));
        var u = b * b;
        var high = Avx512F.FusedMultiplyAdd(Vector512.Create(0.00824739039f), b, Vector512.Create(0.0418997668f));
        var low = Avx512F.FusedMultiplyAdd(Vector512.Create(0.166683957f), b, Vector512.Create(0.499991268f));
        var polynomial = Avx512F.FusedMultiplyAdd(
            Avx512F.FusedMultiplyAdd(high, u, low), u,
            Avx512F.FusedMultiplyAdd(Vector512.Create(0.999999404f), b, Vector512<float>.One));
        var result = Avx512F.Scale(polynomial, n);
        var outOfRange = Vector512.GreaterThan(Vector512.Abs(n), Vector512.Create(192f));
        if (outOfRange == Vector512<float>.Zero)
            return result;
        var saturated = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(n, Vector512<float>.Zero),
            Vector512.Create(float.PositiveInfinity), Vector512<float>.Zero);
        return Vector512.ConditionalSelect(outOfRange, saturated, result);
    }
}
