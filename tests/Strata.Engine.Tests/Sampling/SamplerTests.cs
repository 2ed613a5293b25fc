using Strata.Engine.Sampling;

namespace Strata.Engine.Tests.Sampling;

public sealed class SamplerTests
{
    private static float[] Logits() => [1f, 3f, 2f, 0.5f, 2.9f];

    [Fact]
    public void Sample_Greedy_ReturnsArgMax()
    {
        var sampler = new Sampler(SamplingParams.Greedy, 1);
        Assert.Equal(1, sampler.Sample(Logits(), [], []));
    }

    [Fact]
    public void Sample_LogitBias_ChangesGreedyChoice()
    {
        var sampler = new Sampler(SamplingParams.Greedy with { LogitBias = new Dictionary<int, float> { [1] = -100f } }, 1);
        Assert.Equal(4, sampler.Sample(Logits(), [], []));
    }

    [Fact]
    public void Sample_RepetitionPenalty_PenalisesSeenTokens()
    {
        var sampler = new Sampler(SamplingParams.Greedy with { RepetitionPenalty = 2f }, 1);
        Assert.Equal(4, sampler.Sample(Logits(), [1], []));
    }

    [Fact]
    public void Sample_FrequencyAndPresencePenalties_CountGeneratedTokens()
    {
        var frequency = new Sampler(SamplingParams.Greedy with { FrequencyPenalty = 0.06f }, 1);
        Assert.Equal(4, frequency.Sample(Logits(), [], [1, 1]));

        var presence = new Sampler(SamplingParams.Greedy with { PresencePenalty = 0.2f }, 1);
        Assert.Equal(4, presence.Sample(Logits(), [1, 1, 1], [1]));

        var promptOnly = new Sampler(SamplingParams.Greedy with { PresencePenalty = 5f }, 1);
        Assert.Equal(1, promptOnly.Sample(Logits(), [1], []));
    }

    [Fact]
    public void Sample_SameSeed_SameSequence()
    {
        var p = new SamplingParams { Temperature = 1.5f };
        var a = new Sampler(p, 42);
        var b = new Sampler(p, 42);
        var first = Enumerable.Range(0, 50).Select(_ => a.Sample(Logits(), [], [])).ToArray();
        var second = Enumerable.Range(0, 50).Select(_ => b.Sample(Logits(), [], [])).ToArray();

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 1, "a hot temperature should not always pick one token");
    }

    [Fact]
    public void Sample_TopK1_IsGreedy()
    {
        var sampler = new Sampler(new SamplingParams { Temperature = 5f, TopK = 1 }, 7);
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal(1, sampler.Sample(Logits(), [], [])));
    }

    [Fact]
    public void Sample_TopK2_KeepsTheTwoMostLikely()
    {
        var sampler = new Sampler(new SamplingParams { Temperature = 3f, TopK = 2 }, 5);
        var seen = Enumerable.Range(0, 300).Select(_ => sampler.Sample(Logits(), [], [])).ToHashSet();
        Assert.Equal(new HashSet<int> { 1, 4 }, seen);
    }

    [Fact]
    public void Sample_TopKWithTopP_AppliesTopPWithinTopK()
    {
        // Top-3 at T=1 renormalised: token 1 ≈ 0.44, token 4 ≈ 0.40, token 2 ≈ 0.16; top_p 0.8 keeps two.
        var sampler = new Sampler(new SamplingParams { TopK = 3, TopP = 0.8f }, 9);
        var seen = Enumerable.Range(0, 400).Select(_ => sampler.Sample(Logits(), [], [])).ToHashSet();
        Assert.Equal(new HashSet<int> { 1, 4 }, seen);
    }

    [Fact]
    public void Sample_LargeVocabularyTopP_OnlyNucleusTokens()
    {
        var random = new Random(1);
        var logits = Enumerable.Range(0, 32000).Select(_ => (float)random.NextDouble() * 2f).ToArray();
        logits[123] = 12f;
        logits[456] = 11.5f;
        var sampler = new Sampler(new SamplingParams { TopP = 0.5f }, 2);
        var seen = Enumerable.Range(0, 200).Select(_ => sampler.Sample((float[])logits.Clone(), [], [])).ToHashSet();
        Assert.Subset(new HashSet<int> { 123, 456 }, seen);
    }

    [Fact]
    public void Sample_TopP_KeepsOnlyTheNucleus()
    {
        // Probabilities at T=1 of [1,3,2,0.5,2.9]: token 1 ≈ 0.38, token 4 ≈ 0.34, token 2 ≈ 0.14 …
        var sampler = new Sampler(new SamplingParams { TopP = 0.6f }, 3);
        var seen = Enumerable.Range(0, 300).Select(_ => sampler.Sample(Logits(), [], [])).ToHashSet();
        Assert.Equal(new HashSet<int> { 1, 4 }, seen);
    }

    [Fact]
    public void Sample_MinP_DropsUnlikelyTokens()
    {
        var sampler = new Sampler(new SamplingParams { MinP = 0.5f }, 3);
        var seen = Enumerable.Range(0, 300).Select(_ => sampler.Sample(Logits(), [], [])).ToHashSet();
        Assert.Equal(new HashSet<int> { 1, 4 }, seen);
    }

    [Fact]
    public void Sample_Distribution_FollowsSoftmax()
    {
        var sampler = new Sampler(new SamplingParams(), 11);
        var counts = new int[5];
        const int draws = 20000;
        for (var i = 0; i < draws; i++)
            counts[sampler.Sample(Logits(), [], [])]++;
        var logits = Logits();
        var z = logits.Sum(l => Math.Exp(l));
        for (var t = 0; t < 5; t++)
            Assert.InRange(counts[t] / (double)draws, Math.Exp(logits[t]) / z - 0.02, Math.Exp(logits[t]) / z + 0.02);
    }
}
