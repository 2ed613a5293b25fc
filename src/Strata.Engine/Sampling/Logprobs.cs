using System.Numerics.Tensors;
using Strata.Engine.Requests;

namespace Strata.Engine.Sampling;

/// <summary>Log-probabilities under the model's raw distribution (before penalties and temperature), as OpenAI reports them.</summary>
internal static class Logprobs
{
    public static float LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = TensorPrimitives.Max(logits);
        var sum = 0.0;
        foreach (var l in logits)
            sum += Math.Exp(l - max);
        return max + (float)Math.Log(sum);
    }

    /// <summary>The <paramref name="count"/> most likely tokens, most likely first.</summary>
    public static TokenLogprob[] Top(ReadOnlySpan<float> logits, float logSumExp, int count)
    {
        var top = new TokenLogprob[Math.Min(count, logits.Length)];
        var filled = 0;
        for (var id = 0; id < logits.Length; id++)
        {
            var logprob = logits[id] - logSumExp;
            if (filled == top.Length && logprob <= top[^1].Logprob)
                continue;
            var at = filled < top.Length ? filled++ : top.Length - 1;
            while (at > 0 && top[at - 1].Logprob < logprob)
            {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = new TokenLogprob(id, logprob);
        }
        return top;
    }
}
