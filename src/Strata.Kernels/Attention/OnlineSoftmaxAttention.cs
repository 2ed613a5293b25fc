using System.Numerics.Tensors;

namespace Strata.Kernels.Attention;

/// <summary>
/// Flash-style attention: keys and values arrive a block at a time and a running maximum, normaliser and
/// weighted sum are kept per query head, so the full score row is never materialised. All query heads of a
/// GQA group are processed against the same converted key/value block.
/// </summary>
public static class OnlineSoftmaxAttention
{
    /// <summary>Resets the running state of <c>max.Length</c> query heads.</summary>
    public static void Begin(Span<float> max, Span<float> sum, Span<float> accumulator)
    {
        max.Fill(float.NegativeInfinity);
        sum.Clear();
        accumulator.Clear();
    }

    /// <summary>Folds one block of keys and values into the running state.</summary>
    /// <param name="queries">[heads, headDim]</param>
    /// <param name="keys">[count, headDim]</param>
    /// <param name="values">[count, headDim]</param>
    /// <param name="max">[heads] running maximum score.</param>
    /// <param name="sum">[heads] running sum of exp(score - max).</param>
    /// <param name="accumulator">[heads, headDim] running Σ exp(score - max)·value.</param>
    /// <param name="scores">scratch, at least [count].</param>
    public static void Accumulate(
        ReadOnlySpan<float> queries, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int count, int headDim,
        float scale, Span<float> max, Span<float> sum, Span<float> accumulator, Span<float> scores)
    {
        var heads = max.Length;
        scores = scores[..count];
        for (var h = 0; h < heads; h++)
        {
            var query = queries.Slice(h * headDim, headDim);
            for (var j = 0; j < count; j++)
                scores[j] = TensorPrimitives.Dot(query, keys.Slice(j * headDim, headDim)) * scale;

            var blockMax = TensorPrimitives.Max(scores);
            var newMax = MathF.Max(max[h], blockMax);
            var correction = MathF.Exp(max[h] - newMax);
            var acc = accumulator.Slice(h * headDim, headDim);
            if (correction != 1f)
                TensorPrimitives.Multiply(acc, correction, acc);
            var blockSum = 0f;
            for (var j = 0; j < count; j++)
            {
                var p = MathF.Exp(scores[j] - newMax);
                blockSum += p;
                TensorPrimitives.MultiplyAdd(values.Slice(j * headDim, headDim), p, acc, acc);
            }
            sum[h] = sum[h] * correction + blockSum;
            max[h] = newMax;
        }
    }

    /// <summary>Writes the normalised outputs [heads, headDim].</summary>
    public static void End(ReadOnlySpan<float> sum, ReadOnlySpan<float> accumulator, int headDim, Span<float> output)
    {
        for (var h = 0; h < sum.Length; h++)
            TensorPrimitives.Divide(accumulator.Slice(h * headDim, headDim), sum[h], output.Slice(h * headDim, headDim));
    }
}
