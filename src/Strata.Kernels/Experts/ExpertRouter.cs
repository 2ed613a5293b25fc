namespace Strata.Kernels.Experts;

/// <summary>
/// Picks each token's experts from its router logits: gating (softmax or sigmoid), an optional selection bias that
/// only steers the choice, the top k by descending score (ties go to the lower expert id, as a stable sort gives),
/// and the chosen experts' unbiased probabilities as weights, normalised and scaled when asked.
/// <para>
/// The arithmetic is ggml's on an AVX-512 CPU, in scalar code so every SIMD level gives the same bits: the softmax
/// takes e^(x − max) sixteen lanes at a time with the vectorised expf (<see cref="Ops.VectorExp"/>, whose scalar
/// form is bit-identical) and the rest with libm's expf, sums each group of sixteen in the order
/// <c>_mm512_reduce_add_ps</c> adds them and accumulates the groups in double; sums of weights are taken in double.
/// </para>
/// </summary>
public static class ExpertRouter
{
    private const int Lanes = 16;

    /// <summary>ggml clamps the sum of the chosen weights to the smallest normal half before dividing by it.</summary>
    private const float MinimumWeightSum = 6.103515625e-5f;

    /// <param name="logits">[experts] the router's output for one token.</param>
    /// <param name="selectionBias">[experts] added to the probabilities for the choice only, or empty.</param>
    /// <param name="probabilities">[experts] scratch: the gated probabilities.</param>
    /// <param name="experts">[used] the chosen expert ids, best first.</param>
    /// <param name="weights">[used] their weights.</param>
    public static void Route(ReadOnlySpan<float> logits, ReadOnlySpan<float> selectionBias, ExpertRouting routing,
        Span<float> probabilities, Span<int> experts, Span<float> weights)
    {
        var count = logits.Length;
        var used = routing.Used;
        if (probabilities.Length < count || experts.Length < used || weights.Length < used || used > count)
            throw new ArgumentException($"routing {used} of {count} experts needs room for {count} probabilities and {used} choices");
        if (!selectionBias.IsEmpty && selectionBias.Length != count)
            throw new ArgumentException($"selection bias has {selectionBias.Length} entries for {count} experts");
        probabilities = probabilities[..count];
        if (routing.Gating == ExpertGating.Sigmoid)
            Sigmoid(logits, probabilities);
        else
            Softmax(logits, probabilities);

        for (var k = 0; k < used; k++)
        {
            var best = -1;
            var bestScore = 0f;
            for (var e = 0; e < count; e++)
            {
                var score = selectionBias.IsEmpty ? probabilities[e] : probabilities[e] + selectionBias[e];
                if ((best < 0 || score > bestScore) && !Chosen(experts[..k], e))
                {
                    best = e;
                    bestScore = score;
                }
            }
            experts[k] = best;
            weights[k] = probabilities[best];
        }

        if (routing.Normalize)
        {
            var sum = 0.0;
            for (var k = 0; k < used; k++)
                sum += weights[k];
            var divisor = Math.Max((float)sum, MinimumWeightSum);
            for (var k = 0; k < used; k++)
                weights[k] /= divisor;
        }
        if (routing.Scale != 0f && routing.Scale != 1f)
        {
            for (var k = 0; k < used; k++)
                weights[k] *= routing.Scale;
        }
    }

    /// <summary>ggml_soft_max: e^(x − max) and the sum of them (see the class remarks), then a multiply by the float of 1/sum.</summary>
    private static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        var max = float.NegativeInfinity;
        foreach (var value in x)
            max = Math.Max(max, value);
        var sum = 0.0;
        var i = 0;
        for (; i + Lanes <= x.Length; i += Lanes)
        {
            for (var j = i; j < i + Lanes; j++)
                y[j] = Ops.VectorExp.Exp(x[j] - max);
            sum += ReduceAdd16(y.Slice(i, Lanes));
        }
        for (; i < x.Length; i++)
        {
            y[i] = MathF.Exp(x[i] - max);
            sum += y[i];
        }
        var inverse = (float)(1.0 / sum);
        for (var j = 0; j < x.Length; j++)
            y[j] *= inverse;
    }

    /// <summary>ggml_vec_sigmoid_f32: 1 / (1 + expf(−x)).</summary>
    private static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++)
            y[i] = 1f / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>The sum of 16 floats in the pairing of GCC's <c>_mm512_reduce_add_ps</c>: halves, then quarters, then pairs.</summary>
    private static float ReduceAdd16(ReadOnlySpan<float> v)
    {
        Span<float> eight = stackalloc float[8];
        for (var i = 0; i < 8; i++)
            eight[i] = v[i + 8] + v[i];
        Span<float> four = stackalloc float[4];
        for (var i = 0; i < 4; i++)
            four[i] = eight[i + 4] + eight[i];
        return (four[0] + four[2]) + (four[1] + four[3]);
    }

    private static bool Chosen(ReadOnlySpan<int> chosen, int expert) => chosen.Contains(expert);
}
