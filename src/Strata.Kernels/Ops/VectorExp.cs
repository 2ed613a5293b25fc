using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels.Ops;

/// <summary>
/// A single-precision e^x: the range reduction and polynomial of Arm's optimized-routines expf (max error about
/// 1.5 ulp), which ggml also uses for its vectorised SiLU. Using the same approximation keeps our SwiGLU outputs
/// identical to llama.cpp's instead of one ulp away. The 8-lane and scalar forms give the same bits as the
/// 16-lane one (including the exact scaling that AVX-512's vscalefps does).
/// </summary>
internal static class VectorExp
{
    private const float Shifter = 12582912f; // 1.5 · 2^23: adding it rounds to an integer
    private const float Log2E = 1.44269502f;
    private const float Ln2High = 0.693145752f;
    private const float Ln2Low = 1.42860677e-06f;
    private const float C1 = 0.999999404f;
    private const float C2 = 0.499991268f;
    private const float C3 = 0.166683957f;
    private const float C4 = 0.0418997668f;
    private const float C5 = 0.00824739039f;
    private const float Saturation = 192f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        // n = round(x / ln 2), b = x − n·ln 2 (ln 2 split in a high and a low part for accuracy)
        var n = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(Shifter)) - Vector512.Create(Shifter);
        var b = Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2Low), Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2High), x));
        var u = b * b;
        var high = Vector512.FusedMultiplyAdd(Vector512.Create(C5), b, Vector512.Create(C4));
        var low = Vector512.FusedMultiplyAdd(Vector512.Create(C3), b, Vector512.Create(C2));
        var polynomial = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(high, u, low), u,
            Vector512.FusedMultiplyAdd(Vector512.Create(C1), b, Vector512<float>.One));
        var result = System.Runtime.Intrinsics.X86.Avx512F.Scale(polynomial, n);
        var outOfRange = Vector512.GreaterThan(Vector512.Abs(n), Vector512.Create(Saturation));
        if (outOfRange == Vector512<float>.Zero)
            return result;
        var saturated = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(n, Vector512<float>.Zero),
            Vector512<float>.Zero, Vector512.Create(float.PositiveInfinity));
        return Vector512.ConditionalSelect(outOfRange, saturated, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var n = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(Shifter)) - Vector256.Create(Shifter);
        var b = Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2Low), Vector256.FusedMultiplyAdd(-n, Vector256.Create(Ln2High), x));
        var u = b * b;
        var high = Vector256.FusedMultiplyAdd(Vector256.Create(C5), b, Vector256.Create(C4));
        var low = Vector256.FusedMultiplyAdd(Vector256.Create(C3), b, Vector256.Create(C2));
        var polynomial = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(high, u, low), u,
            Vector256.FusedMultiplyAdd(Vector256.Create(C1), b, Vector256<float>.One));
        var result = Scale(polynomial, n);
        var outOfRange = Vector256.GreaterThan(Vector256.Abs(n), Vector256.Create(Saturation));
        if (outOfRange == Vector256<float>.Zero)
            return result;
        var saturated = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(n, Vector256<float>.Zero),
            Vector256<float>.Zero, Vector256.Create(float.PositiveInfinity));
        return Vector256.ConditionalSelect(outOfRange, saturated, result);
    }

    public static float Exp(float x)
    {
        var n = MathF.FusedMultiplyAdd(x, Log2E, Shifter) - Shifter;
        var b = MathF.FusedMultiplyAdd(-n, Ln2Low, MathF.FusedMultiplyAdd(-n, Ln2High, x));
        var u = b * b;
        var high = MathF.FusedMultiplyAdd(C5, b, C4);
        var low = MathF.FusedMultiplyAdd(C3, b, C2);
        var polynomial = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(high, u, low), u, MathF.FusedMultiplyAdd(C1, b, 1f));
        if (MathF.Abs(n) > Saturation)
            return n <= 0 ? 0f : float.PositiveInfinity;
        return Scale(polynomial, (int)n);
    }

    /// <summary>polynomial · 2^n rounded once, as vscalefps does, for integral n with |n| ≤ 192.</summary>
    private static Vector256<float> Scale(Vector256<float> polynomial, Vector256<float> n)
    {
        var exponent = Vector256.ConvertToInt32(n);
        if (Vector256.LessThanAll(Vector256.Abs(exponent), Vector256.Create(126)))
            return polynomial * PowerOfTwo(exponent);
        var result = Vector256<float>.Zero;
        for (var i = 0; i < Vector256<float>.Count; i++)
            result = result.WithElement(i, Scale(polynomial.GetElement(i), exponent.GetElement(i)));
        return result;
    }

    private static float Scale(float polynomial, int n) => n switch
    {
        // Overflow: the second product saturates to ∞ as vscalefps does.
        > 127 => polynomial * PowerOfTwo(127) * PowerOfTwo(n - 127),
        // Subnormal results: scale within the normal range first so that only the last product rounds.
        < -126 => polynomial * PowerOfTwo(n + 100) * PowerOfTwo(-100),
        _ => polynomial * PowerOfTwo(n),
    };

    private static float PowerOfTwo(int n) => BitConverter.Int32BitsToSingle((n + 127) << 23);

    private static Vector256<float> PowerOfTwo(Vector256<int> n) => ((n + Vector256.Create(127)) << 23).AsSingle();
}
