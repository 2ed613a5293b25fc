using System.Numerics.Tensors;

namespace Strata.Kernels.Attention;

/// <summary>
/// Flash-style attention: keys and values arrive a block at a time and a running maximum, normaliser and weighted
/// sum are kept per query head, so the full score row is never materialised. Keys are folded in one at a time in
/// position order, as ggml's CPU flash attention does; with an F16 cache the query and the running sum are kept in
/// half precision exactly as ggml keeps them, so logits track llama.cpp's closely. All query heads of a GQA group
/// share the same converted key/value block.
/// </summary>
public static class OnlineSoftmaxAttention
{
    /// <summary>Prepares the running state of <c>max.Length</c> query heads; rounds the queries to half precision when asked.</summary>
    public static void Begin(Span<float> queries, bool halfPrecision, Span<float> max, Span<float> sum, Span<float> accumulator)
    {
        if (halfPrecision)
            Ops.HalfRounding.Round(queries);
        max.Fill(float.NegativeInfinity);
        sum.Clear();
        accumulator.Clear();
    }

    /// <summary>Folds one block of keys and values into the running state.</summary>
    /// <param name="queries">[heads, headDim], as prepared by <see cref="Begin"/>.</param>
    /// <param name="keys">[count, headDim]</param>
    /// <param name="values">[count, headDim]</param>
    /// <param name="max">[heads] running maximum score.</param>
    /// <param name="sum">[heads] running sum of exp(score - max).</param>
    /// <param name="accumulator">[heads, headDim] running Σ exp(score - max)·value.</param>
    /// <param name="scores">scratch, at least [count].</param>
    public static void Accumulate(
        ReadOnlySpan<float> queries, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int count, int headDim,
        float scale, bool halfPrecision, Span<float> max, Span<float> sum, Span<float> accumulator, Span<float> scores)
    {
        scores = scores[..count];
        for (var h = 0; h < max.Length; h++)
        {
            var query = queries.Slice(h * headDim, headDim);
            for (var j = 0; j < count; j++)
                scores[j] = Ops.DotProduct.Widened(query, keys.Slice(j * headDim, headDim)) * scale;

            var acc = accumulator.Slice(h * headDim, headDim);
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
                    TensorPrimitives.Multiply(acc, correction, acc);
                    if (halfPrecision)
                        Ops.HalfRounding.Round(acc);
                }
                else
                {
                    weight = MathF.Exp(scores[j] - m);
                }
                TensorPrimitives.FusedMultiplyAdd(values.Slice(j * headDim, headDim), weight, acc, acc);
                if (halfPrecision)
                    Ops.HalfRounding.Round(acc);
                s = s * correction + weight;
            }
            max[h] = m;
            sum[h] = s;
        }
    }

    /// <summary>Writes the normalised outputs [heads, headDim].</summary>
    public static void End(ReadOnlySpan<float> sum, ReadOnlySpan<float> accumulator, int headDim, Span<float> output)
    {
        for (var h = 0; h < sum.Length; h++)
            TensorPrimitives.Divide(accumulator.Slice(h * headDim, headDim), sum[h], output.Slice(h * headDim, headDim));
    }
}
