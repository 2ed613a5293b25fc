using System.Runtime.Intrinsics;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Ops;

/// <summary>
/// The normalized fast Walsh–Hadamard transform that llama.cpp applies to queries, keys and values before a quantized
/// KV cache stores them (and to the attention output, which undoes the values' rotation: H·H = I): each chunk of n
/// (a power of two) is scaled by 1/√n, then butterflies (u + v, u − v) over strides 1, 2, 4, … n/2, the order of
/// ggml's CPU transform. Every element sees the same operations at every SIMD level.
/// </summary>
public static unsafe class Hadamard
{
    /// <summary>Transforms x[length] in place, chunk by chunk of <paramref name="n"/> (length a multiple of n).</summary>
    public static void Rotate(float* x, int length, int n, SimdLevel level)
    {
        if ((n & (n - 1)) != 0 || n < 16 || length % n != 0)
            throw new ArgumentException($"rotations work on powers of two of at least 16 that divide the length: n = {n}, length = {length}");
        var scale = 1f / MathF.Sqrt(n);
        for (var chunk = x; chunk < x + length; chunk += n)
        {
            for (var i = 0; i < n; i++)
                chunk[i] *= scale;
            var len = 1;
            if (level == SimdLevel.Avx512)
            {
                for (; len < 16; len <<= 1)
                    Butterflies(chunk, n, len);
                for (; len < n; len <<= 1)
                {
                    for (var i = 0; i < n; i += 2 * len)
                    {
                        for (var j = i; j < i + len; j += 16)
                        {
                            var u = Vector512.Load(chunk + j);
                            var v = Vector512.Load(chunk + j + len);
                            (u + v).Store(chunk + j);
                            (u - v).Store(chunk + j + len);
                        }
                    }
                }
            }
            for (; len < n; len <<= 1)
                Butterflies(chunk, n, len);
        }
    }

    private static void Butterflies(float* chunk, int n, int len)
    {
        for (var i = 0; i < n; i += 2 * len)
        {
            for (var j = i; j < i + len; j++)
            {
                var u = chunk[j];
                var v = chunk[j + len];
                chunk[j] = u + v;
                chunk[j + len] = u - v;
            }
        }
    }
}
