using Strata.Kernels.Experts;

namespace Strata.Kernels.Tests.Experts;

/// <summary>
/// The routing of llama.cpp's build_moe_ffn written out plainly in double precision: probabilities, a stable sort
/// of the (biased) scores, the top k with their unbiased probabilities, the sum clamped and divided, the scale.
/// </summary>
internal static class ScalarRouter
{
    public static (int[] Experts, double[] Weights) Route(float[] logits, float[]? bias, ExpertRouting routing)
    {
        var probabilities = routing.Gating == ExpertGating.Sigmoid
            ? logits.Select(x => 1 / (1 + Math.Exp(-x))).ToArray()
            : Softmax(logits);
        var experts = Enumerable.Range(0, logits.Length)
            .OrderByDescending(e => (float)probabilities[e] + (bias?[e] ?? 0f))
            .Take(routing.Used)
            .ToArray();
        var weights = experts.Select(e => probabilities[e]).ToArray();
        if (routing.Normalize)
        {
            var sum = Math.Max(weights.Sum(), 6.103515625e-5);
            weights = weights.Select(w => w / sum).ToArray();
        }
        if (routing.Scale is not (0f or 1f))
            weights = weights.Select(w => w * routing.Scale).ToArray();
        return (experts, weights);
    }

    private static double[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var e = logits.Select(x => Math.Exp(x - max)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
