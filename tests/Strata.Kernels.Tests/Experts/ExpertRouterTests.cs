using Strata.Kernels.Experts;

namespace Strata.Kernels.Tests.Experts;

public sealed class ExpertRouterTests
{
    public static TheoryData<int, int, ExpertGating, bool, float, bool> Routings => new()
    {
        { 8, 2, ExpertGating.Softmax, true, 0f, false },     // Mixtral, Qwen3-MoE
        { 60, 4, ExpertGating.Softmax, false, 0f, false },   // Qwen2-MoE: three 16-lane groups and a 12-value tail
        { 64, 6, ExpertGating.Softmax, false, 1f, false },   // DeepSeek-V2-Lite
        { 16, 4, ExpertGating.Sigmoid, true, 2.5f, true },   // DeepSeek-V3 style: selection bias, normalised, scaled
        { 33, 1, ExpertGating.Sigmoid, false, 0f, false },
        { 4, 4, ExpertGating.Softmax, true, 1.5f, false },   // every expert used
    };

    [Theory]
    [MemberData(nameof(Routings))]
    public void Route_RandomLogits_MatchesScalarReference(int count, int used, ExpertGating gating, bool normalize, float scale, bool biased)
    {
        var routing = new ExpertRouting(used, gating, normalize, scale);
        var random = new Random(count * 17 + used);
        for (var trial = 0; trial < 200; trial++)
        {
            var logits = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
            var bias = biased ? Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray() : null;
            var (experts, weights) = Route(logits, bias, routing);
            var (expectedExperts, expectedWeights) = ScalarRouter.Route(logits, bias, routing);

            Assert.Equal(expectedExperts, experts);
            for (var k = 0; k < used; k++)
                Assert.True(Math.Abs(weights[k] - expectedWeights[k]) <= 1e-6 * Math.Max(1, expectedWeights[k]), $"weight {k}: {weights[k]} vs {expectedWeights[k]}");
        }
    }

    [Fact]
    public void Route_TiedScores_PicksLowerExpertIdsFirst()
    {
        var routing = new ExpertRouting(3, ExpertGating.Softmax, false, 0f);
        var (experts, weights) = Route([0.5f, 2f, -1f, 2f, 2f, 0.5f], null, routing);

        Assert.Equal([1, 3, 4], experts);
        Assert.Equal(weights[0], weights[1]);
        Assert.Equal(weights[1], weights[2]);
    }

    [Fact]
    public void Route_AllEqual_TakesTheFirstExpertsWithEqualWeights()
    {
        var routing = new ExpertRouting(2, ExpertGating.Softmax, true, 0f);
        var (experts, weights) = Route(new float[8], null, routing);

        Assert.Equal([0, 1], experts);
        Assert.Equal([0.5f, 0.5f], weights);
    }

    [Fact]
    public void Route_SigmoidWithSelectionBias_ChoosesByBiasedScoreButWeighsByProbability()
    {
        // Expert 0 has the higher probability, but the bias makes expert 2 win the single slot.
        var logits = new[] { 1f, -2f, 0.8f };
        var bias = new[] { 0f, 0f, 0.1f };
        var (experts, weights) = Route(logits, bias, new ExpertRouting(1, ExpertGating.Sigmoid, false, 0f));

        Assert.Equal([2], experts);
        Assert.Equal(1f / (1f + MathF.Exp(-0.8f)), weights[0]);
    }

    [Fact]
    public void Route_Normalized_WeightsSumToTheScale()
    {
        var logits = new[] { 0.3f, -1.2f, 2.5f, 0.9f, -0.4f, 1.7f };
        var (_, weights) = Route(logits, null, new ExpertRouting(3, ExpertGating.Sigmoid, true, 2.5f));

        Assert.Equal(2.5, weights.Sum(), 5);
    }

    [Fact]
    public void Route_Unnormalized_WeightsAreTheSoftmaxProbabilities()
    {
        var logits = new[] { 1f, 2f, 3f, 4f };
        var (experts, weights) = Route(logits, null, new ExpertRouting(2, ExpertGating.Softmax, false, 0f));

        var total = logits.Sum(x => Math.Exp(x - 4));
        Assert.Equal([3, 2], experts);
        Assert.Equal(1 / total, weights[0], 6);
        Assert.Equal(Math.Exp(-1) / total, weights[1], 6);
    }

    [Fact]
    public void Route_TinyWeightSum_IsClampedBeforeDividing()
    {
        // Sigmoid probabilities of very negative logits sum to far less than the clamp (the smallest normal half).
        var (_, weights) = Route([-30f, -31f, -32f], null, new ExpertRouting(2, ExpertGating.Sigmoid, true, 0f));

        var p0 = 1f / (1f + MathF.Exp(30f));
        Assert.Equal(p0 / 6.103515625e-5f, weights[0]);
    }

    [Fact]
    public void Route_WrongSizes_Throw()
    {
        var routing = new ExpertRouting(3, ExpertGating.Softmax, false, 0f);
        Assert.Throws<ArgumentException>(() => ExpertRouter.Route(new float[2], [], routing, new float[2], new int[3], new float[3]));
        Assert.Throws<ArgumentException>(() => ExpertRouter.Route(new float[4], new float[3], routing, new float[4], new int[3], new float[3]));
    }

    private static (int[] Experts, float[] Weights) Route(float[] logits, float[]? bias, ExpertRouting routing)
    {
        var experts = new int[routing.Used];
        var weights = new float[routing.Used];
        ExpertRouter.Route(logits, bias, routing, new float[logits.Length], experts, weights);
        return (experts, weights);
    }
}
