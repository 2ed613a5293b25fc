using System.Runtime.Intrinsics;

namespace Strata.Kernels.Ops;

/// <summary>
/// Float dot products summed in the order ggml's AVX-512 CPU backend sums them, so that results agree with
/// llama.cpp's to the last bit rather than to the last few. The order depends only on the length, never on the
/// batch or the thread, which keeps every caller batch-invariant.
/// </summary>
public static class DotProduct
{
    private const int Lanes = 16;
    private const int Step = 4 * Lanes;

    /// <summary>
    /// Float weights times float activations: whole 16-lane rows go through one fused-multiply-add accumulator
    /// (llamafile's tinyBLAS); other lengths through four accumulators and a float tail (ggml_vec_dot_f32).
    /// </summary>
    public static float Float(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (!Vector512.IsHardwareAccelerated)
            return Widened(x, y);
        if (x.Length % Lanes == 0)
        {
            var sum = Vector512<float>.Zero;
            for (var i = 0; i < x.Length; i += Lanes)
                sum = Vector512.FusedMultiplyAdd(Vector512.Create(x.Slice(i, Lanes)), Vector512.Create(y.Slice(i, Lanes)), sum);
            return ReduceAdd(sum);
        }
        var total = FourAccumulators(x, y, out var tail);
        for (var i = tail; i < x.Length; i++)
            total = MathF.FusedMultiplyAdd(x[i], y[i], total);
        return total;
    }

    /// <summary>
    /// Values widened from half precision (F16 weights or cached keys): four accumulators over 64-element steps,
    /// then the tail in double (ggml_vec_dot_f16).
    /// </summary>
    public static float Widened(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double total = Vector512.IsHardwareAccelerated ? FourAccumulators(x, y, out var tail) : tail = 0;
        for (var i = tail; i < x.Length; i++)
            total += x[i] * y[i];
        return (float)total;
    }

    private static float FourAccumulators(ReadOnlySpan<float> x, ReadOnlySpan<float> y, out int tail)
    {
        var s0 = Vector512<float>.Zero;
        var s1 = Vector512<float>.Zero;
        var s2 = Vector512<float>.Zero;
        var s3 = Vector512<float>.Zero;
        tail = x.Length & ~(Step - 1);
        for (var i = 0; i < tail; i += Step)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(x.Slice(i, Lanes)), Vector512.Create(y.Slice(i, Lanes)), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Create(x.Slice(i + Lanes, Lanes)), Vector512.Create(y.Slice(i + Lanes, Lanes)), s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(x.Slice(i + 2 * Lanes, Lanes)), Vector512.Create(y.Slice(i + 2 * Lanes, Lanes)), s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(x.Slice(i + 3 * Lanes, Lanes)), Vector512.Create(y.Slice(i + 3 * Lanes, Lanes)), s3);
        }
        return tail == 0 ? 0f : ReduceAdd((s0 + s2) + (s1 + s3));
    }

    /// <summary>Halves, then quarters, then pairs: the order of _mm512_reduce_add_ps.</summary>
    private static float ReduceAdd(Vector512<float> v)
    {
        var half = v.GetUpper() + v.GetLower();
        var quarter = half.GetUpper() + half.GetLower();
        return (quarter.GetElement(0) + quarter.GetElement(2)) + (quarter.GetElement(1) + quarter.GetElement(3));
    }
}
