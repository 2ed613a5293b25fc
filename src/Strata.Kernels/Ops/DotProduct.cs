using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Ops;

/// <summary>
/// Float dot products summed in the order ggml's AVX-512 CPU backend sums them, so that results agree with
/// llama.cpp's to the last bit rather than to the last few. The order depends only on the length, never on the
/// batch or the thread, which keeps every caller batch-invariant; narrower SIMD levels emulate the 16 lanes.
/// </summary>
public static unsafe class DotProduct
{
    private const int Lanes = 16;
    private const int Step = 4 * Lanes;

    public static float Float(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdLevel level)
    {
        CheckLengths(x, y);
        fixed (float* px = x, py = y)
            return Float(px, py, x.Length, level);
    }

    public static float Widened(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdLevel level)
    {
        CheckLengths(x, y);
        fixed (float* px = x, py = y)
            return Widened(px, py, x.Length, level);
    }

    /// <summary>
    /// Float weights times float activations, x and y float[n]: whole 16-lane rows go through one fused-multiply-add
    /// accumulator (llamafile's tinyBLAS); other lengths through four accumulators and a float tail (ggml_vec_dot_f32).
    /// </summary>
    public static float Float(float* x, float* y, int n, SimdLevel level)
    {
        if (n % Lanes == 0)
        {
            return level switch
            {
                SimdLevel.Avx512 => OneAccumulator512(x, y, n),
                SimdLevel.Avx2 => OneAccumulator256(x, y, n),
                _ => OneAccumulatorScalar(x, y, n),
            };
        }
        var total = FourAccumulators(x, y, n, level, out var tail);
        for (var i = tail; i < n; i++)
            total = MathF.FusedMultiplyAdd(x[i], y[i], total);
        return total;
    }

    /// <summary>
    /// Values widened from half precision (F16 weights or cached keys), x and y float[n]: four accumulators over
    /// 64-element steps, then the tail in double (ggml_vec_dot_f16).
    /// </summary>
    public static float Widened(float* x, float* y, int n, SimdLevel level)
    {
        double total = FourAccumulators(x, y, n, level, out var tail);
        for (var i = tail; i < n; i++)
            total += x[i] * y[i];
        return (float)total;
    }

    private static float OneAccumulator512(float* x, float* y, int n)
    {
        var sum = Vector512<float>.Zero;
        for (var i = 0; i < n; i += Lanes)
            sum = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), Vector512.Load(y + i), sum);
        return ReduceAdd(sum);
    }

    private static float OneAccumulator256(float* x, float* y, int n)
    {
        var low = Vector256<float>.Zero;
        var high = Vector256<float>.Zero;
        for (var i = 0; i < n; i += Lanes)
        {
            low = Vector256.FusedMultiplyAdd(Vector256.Load(x + i), Vector256.Load(y + i), low);
            high = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8), Vector256.Load(y + i + 8), high);
        }
        return ReduceAdd(low, high);
    }

    private static float OneAccumulatorScalar(float* x, float* y, int n)
    {
        var lanes = stackalloc float[Lanes];
        new Span<float>(lanes, Lanes).Clear();
        for (var i = 0; i < n; i += Lanes)
        {
            for (var l = 0; l < Lanes; l++)
                lanes[l] = MathF.FusedMultiplyAdd(x[i + l], y[i + l], lanes[l]);
        }
        return ReduceAdd(lanes);
    }

    /// <summary>
    /// The four 16-lane accumulators of x·y over <paramref name="length"/> elements (a multiple of 64), combined as
    /// (s0 + s2) + (s1 + s3) but not yet reduced across lanes (AVX-512).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> FourAccumulators512(float* x, float* y, int length)
    {
        var s0 = Vector512<float>.Zero;
        var s1 = Vector512<float>.Zero;
        var s2 = Vector512<float>.Zero;
        var s3 = Vector512<float>.Zero;
        for (var i = 0; i < length; i += Step)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), Vector512.Load(y + i), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + Lanes), Vector512.Load(y + i + Lanes), s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 2 * Lanes), Vector512.Load(y + i + 2 * Lanes), s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 3 * Lanes), Vector512.Load(y + i + 3 * Lanes), s3);
        }
        return (s0 + s2) + (s1 + s3);
    }

    /// <summary>Four 16-lane accumulators over whole 64-element steps, reduced as (s0 + s2) + (s1 + s3); 0 when n &lt; 64.</summary>
    private static float FourAccumulators(float* x, float* y, int n, SimdLevel level, out int tail)
    {
        tail = n & ~(Step - 1);
        if (tail == 0)
            return 0f;
        switch (level)
        {
            case SimdLevel.Avx512:
                return ReduceAdd(FourAccumulators512(x, y, tail));
            case SimdLevel.Avx2:
            {
                // Each 16-lane accumulator is a low and a high half.
                var s = stackalloc Vector256<float>[8];
                for (var k = 0; k < 8; k++)
                    s[k] = Vector256<float>.Zero;
                for (var i = 0; i < tail; i += Step)
                {
                    for (var k = 0; k < 8; k++)
                        s[k] = Vector256.FusedMultiplyAdd(Vector256.Load(x + i + 8 * k), Vector256.Load(y + i + 8 * k), s[k]);
                }
                return ReduceAdd((s[0] + s[4]) + (s[2] + s[6]), (s[1] + s[5]) + (s[3] + s[7]));
            }
            default:
            {
                var s = stackalloc float[Step];
                new Span<float>(s, Step).Clear();
                for (var i = 0; i < tail; i += Step)
                {
                    for (var l = 0; l < Step; l++)
                        s[l] = MathF.FusedMultiplyAdd(x[i + l], y[i + l], s[l]);
                }
                var lanes = stackalloc float[Lanes];
                for (var l = 0; l < Lanes; l++)
                    lanes[l] = (s[l] + s[2 * Lanes + l]) + (s[Lanes + l] + s[3 * Lanes + l]);
                return ReduceAdd(lanes);
            }
        }
    }

    /// <summary>Halves, then quarters, then pairs: the order of _mm512_reduce_add_ps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ReduceAdd(Vector512<float> v) => ReduceAdd(v.GetLower(), v.GetUpper());

    /// <summary><see cref="ReduceAdd(Vector512{float})"/> of the 16 lanes low[0..7], high[0..7].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ReduceAdd(Vector256<float> low, Vector256<float> high)
    {
        var half = high + low;
        var quarter = half.GetUpper() + half.GetLower();
        return (quarter.GetElement(0) + quarter.GetElement(2)) + (quarter.GetElement(1) + quarter.GetElement(3));
    }

    /// <summary><see cref="ReduceAdd(Vector512{float})"/> of lanes[16].</summary>
    internal static float ReduceAdd(float* lanes)
    {
        var quarter = stackalloc float[4];
        for (var l = 0; l < 4; l++)
            quarter[l] = (lanes[8 + 4 + l] + lanes[4 + l]) + (lanes[8 + l] + lanes[l]);
        return (quarter[0] + quarter[2]) + (quarter[1] + quarter[3]);
    }

    private static void CheckLengths(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"dot product of {x.Length} and {y.Length} elements");
    }
}
