using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Attention;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Tests.Attention;

/// <summary>
/// The attention kernel as it was before query tiles (commit b7b2c76), kept as the reference the tiled
/// kernel must equal bit for bit: one query token's heads at a time, every key's exponential from libm
/// (<see cref="MathF.Exp"/>), scores one horizontal sum at a time. One change since: the running sum is updated with
/// a fused multiply-add, as GCC compiles ggml's <c>S = S*ms + vs</c>.
/// </summary>
internal static unsafe class PerKeyReferenceAttention
{
    private const int DotStep = 64;

    /// <summary>Prepares the running state of <paramref name="heads"/> query heads; rounds the queries to half precision when asked.</summary>
    /// <param name="queries">[heads, headDim]</param>
    /// <param name="max">[heads]</param>
    /// <param name="sum">[heads]</param>
    /// <param name="accumulator">[heads, headDim]</param>
    public static void Begin(float* queries, int heads, int headDim, bool halfPrecision, float* max, float* sum, float* accumulator, SimdLevel level)
    {
        if (halfPrecision)
            HalfRounding.Round(new Span<float>(queries, heads * headDim), level);
        new Span<float>(max, heads).Fill(float.NegativeInfinity);
        new Span<float>(sum, heads).Clear();
        new Span<float>(accumulator, heads * headDim).Clear();
    }

    /// <summary>Folds <paramref name="count"/> keys and values into the running state of every head.</summary>
    /// <param name="queries">[heads, headDim], as prepared by <see cref="Begin"/>.</param>
    /// <param name="keys">[count, headDim]</param>
    /// <param name="values">[count, headDim]</param>
    /// <param name="max">[heads] running maximum score.</param>
    /// <param name="sum">[heads] running sum of exp(score − max).</param>
    /// <param name="accumulator">[heads, headDim] running Σ exp(score − max)·value.</param>
    /// <param name="scores">scratch, at least [3 · heads · count].</param>
    public static void Accumulate(float* queries, float* keys, float* values, int count, int heads, int headDim, float scale,
        bool halfPrecision, float* max, float* sum, float* accumulator, float* scores, SimdLevel level)
    {
        if (level == SimdLevel.Avx512 && headDim % DotStep == 0)
        {
            Accumulate512(queries, keys, values, count, heads, headDim, scale, halfPrecision, max, sum, accumulator, scores);
            return;
        }
        for (var h = 0; h < heads; h++)
        {
            var query = queries + h * headDim;
            for (var j = 0; j < count; j++)
                scores[j] = DotProduct.Widened(query, keys + j * headDim, headDim, level) * scale;

            var acc = accumulator + h * headDim;
            var m = max[h];
            var s = sum[h];
            for (var j = 0; j < count; j++)
            {
                var weight = 1f;
                var correction = 1f;
                if (scores[j] > m)
                {
                    correction = MathF.Exp(m - scores[j]);
                    m = scores[j];
                    Scale(acc, correction, headDim, halfPrecision, level);
                }
                else
                {
                    weight = MathF.Exp(scores[j] - m);
                }
                MultiplyAdd(acc, values + j * headDim, weight, headDim, halfPrecision, level);
                s = MathF.FusedMultiplyAdd(s, correction, weight); // ggml's S = S*ms + vs, contracted by GCC
            }
            max[h] = m;
            sum[h] = s;
        }
    }

    /// <summary>
    /// scores[j] = (q · k_j)·scale for keys [count, headDim], with headDim a multiple of 64: the order of
    /// <see cref="DotProduct.Widened(float*, float*, int, SimdLevel)"/> (four accumulators, then halves, quarters, pairs).
    /// </summary>
    private static void Scores512(float* query, float* keys, int count, int headDim, float scale, float* scores)
    {
        for (var j = 0; j < count; j++)
        {
            var key = keys + j * headDim;
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            var s2 = Vector512<float>.Zero;
            var s3 = Vector512<float>.Zero;
            for (var i = 0; i < headDim; i += DotStep)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(query + i), Vector512.Load(key + i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(query + i + 16), Vector512.Load(key + i + 16), s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(query + i + 32), Vector512.Load(key + i + 32), s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(query + i + 48), Vector512.Load(key + i + 48), s3);
            }
            scores[j] = DotProduct.ReduceAdd((s0 + s2) + (s1 + s3)) * scale;
        }
    }

    /// <summary>
    /// The AVX-512 form of <see cref="Accumulate"/> for a head size that is a multiple of 64. The running maximum,
    /// the exp() weights and the sums are worked out first, head by head (scalar, with libm's expf as ggml calls
    /// it); then every key's value row is folded into all heads' accumulators together, so that the heads' chains
    /// of multiply-add and rounding overlap instead of waiting on each other. Each head still sees its keys in
    /// order with the same operations, so the bits are those of the generic path.
    /// </summary>
    private static void Accumulate512(float* queries, float* keys, float* values, int count, int heads, int headDim, float scale,
        bool halfPrecision, float* max, float* sum, float* accumulator, float* scratch)
    {
        // scratch: scores [heads, count], then corrections [heads, count], then weights [heads, count]
        var corrections = scratch + heads * count;
        var weights = corrections + heads * count;
        for (var h = 0; h < heads; h++)
        {
            var scores = scratch + h * count;
            Scores512(queries + h * headDim, keys, count, headDim, scale, scores);
            var m = max[h];
            var s = sum[h];
            for (var j = 0; j < count; j++)
            {
                var correction = 1f;
                var weight = 1f;
                if (scores[j] > m)
                {
                    correction = MathF.Exp(m - scores[j]);
                    m = scores[j];
                }
                else
                {
                    weight = MathF.Exp(scores[j] - m);
                }
                corrections[h * count + j] = correction;
                weights[h * count + j] = weight;
                s = MathF.FusedMultiplyAdd(s, correction, weight); // ggml's S = S*ms + vs, contracted by GCC
            }
            max[h] = m;
            sum[h] = s;
        }
        if (halfPrecision)
            Fold512<HalfPrecision>(values, count, heads, headDim, corrections, weights, accumulator);
        else
            Fold512<SinglePrecision>(values, count, heads, headDim, corrections, weights, accumulator);
    }

    /// <summary>acc[h] = round(acc[h]·correction[h, j]) when a key raised the maximum, then round(fma(v_j, weight[h, j], acc[h])).</summary>
    private static void Fold512<TPrecision>(float* values, int count, int heads, int headDim, float* corrections, float* weights, float* accumulator)
        where TPrecision : struct, IAccumulatorPrecision
    {
        for (var j = 0; j < count; j++)
        {
            var value = values + j * headDim;
            for (var h = 0; h < heads; h++)
            {
                var acc = accumulator + h * headDim;
                // Scaling by exactly 1 would change nothing: rounding is idempotent.
                var correction = corrections[h * count + j];
                if (correction != 1f)
                {
                    for (var i = 0; i < headDim; i += 16)
                        TPrecision.Round(Vector512.Load(acc + i) * correction).Store(acc + i);
                }
                var weight = Vector512.Create(weights[h * count + j]);
                for (var i = 0; i < headDim; i += 16)
                    TPrecision.Round(Vector512.FusedMultiplyAdd(Vector512.Load(value + i), weight, Vector512.Load(acc + i))).Store(acc + i);
            }
        }
    }

    /// <summary>Writes the normalised outputs [heads, headDim]: the accumulator times 1/sum, as ggml scales it.</summary>
    public static void End(float* sum, float* accumulator, int heads, int headDim, float* output)
    {
        for (var h = 0; h < heads; h++)
        {
            var inverse = sum[h] == 0f ? 0f : 1f / sum[h];
            for (var i = 0; i < headDim; i++)
                output[h * headDim + i] = accumulator[h * headDim + i] * inverse;
        }
    }

    /// <summary>acc[n] *= factor (ggml_vec_scale_f16 when rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(float* acc, float factor, int n, bool round, SimdLevel level)
    {
        var i = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.Load(acc + i) * factor;
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.Load(acc + i) * factor;
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        for (; i < n; i++)
        {
            var v = acc[i] * factor;
            acc[i] = round ? HalfRounding.Round(v) : v;
        }
    }

    /// <summary>acc[n] = fma(value, weight, acc) (ggml_vec_mad_f16 when rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(float* acc, float* value, float weight, int n, bool round, SimdLevel level)
    {
        var i = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.FusedMultiplyAdd(Vector512.Load(value + i), Vector512.Create(weight), Vector512.Load(acc + i));
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.FusedMultiplyAdd(Vector256.Load(value + i), Vector256.Create(weight), Vector256.Load(acc + i));
                (round ? HalfRounding.Round(v) : v).Store(acc + i);
            }
        }
        for (; i < n; i++)
        {
            var v = MathF.FusedMultiplyAdd(value[i], weight, acc[i]);
            acc[i] = round ? HalfRounding.Round(v) : v;
        }
    }
}
