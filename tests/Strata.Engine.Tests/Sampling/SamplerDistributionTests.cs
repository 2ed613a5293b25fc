using Strata.Engine.Sampling;

namespace Strata.Engine.Tests.Sampling;

public sealed class SamplerDistributionTests
{
    private static float[] Logits() => [1f, 3f, 2f, 0.5f, 2.9f, -1f, 2.2f, 0.1f];

    public static TheoryData<SamplingParams> Settings() =>
    [
        new SamplingParams { Temperature = 1f },
        new SamplingParams { Temperature = 0.7f, TopK = 3 },
        new SamplingParams { Temperature = 1.3f, TopP = 0.8f },
        new SamplingParams { Temperature = 1f, MinP = 0.3f },
        new SamplingParams { Temperature = 0.9f, TopK = 5, TopP = 0.9f, MinP = 0.05f, RepetitionPenalty = 1.5f, PresencePenalty = 0.3f },
    ];

    [Theory]
    [MemberData(nameof(Settings))]
    public void Distribution_MatchesWhatSampleDraws(SamplingParams settings)
    {
        int[] prompt = [1, 4];
        int[] generated = [4, 6];
        var probabilities = new float[Logits().Length];
        new Sampler(settings, 3).Distribution(Logits(), prompt, generated, probabilities);

        const int Draws = 40_000;
        var sampler = new Sampler(settings, 11);
        var counts = new int[probabilities.Length];
        for (var i = 0; i < Draws; i++)
            counts[sampler.Sample(Logits(), prompt, generated)]++;

        Assert.Equal(1.0, probabilities.Sum(), 5);
        for (var token = 0; token < probabilities.Length; token++)
        {
            if (probabilities[token] == 0)
                Assert.Equal(0, counts[token]);
            else
                Assert.InRange((double)counts[token] / Draws, probabilities[token] - 0.012, probabilities[token] + 0.012);
        }
    }

    [Fact]
    public void Distribution_Greedy_IsOneHotOnTheSampledToken()
    {
        var settings = SamplingParams.Greedy with { LogitBias = new Dictionary<int, float> { [1] = -100f } };
        var probabilities = new float[Logits().Length];

        new Sampler(settings, 1).Distribution(Logits(), [], [], probabilities);

        var pick = new Sampler(settings, 1).Sample(Logits(), [], []);
        Assert.Equal(1f, probabilities[pick]);
        Assert.Equal(1f, probabilities.Sum());
    }

    [Fact]
    public void Distribution_LeavesTheRandomStreamAlone()
    {
        var settings = new SamplingParams { Temperature = 1f, TopK = 4 };
        var probed = new Sampler(settings, 5);
        var untouched = new Sampler(settings, 5);

        probed.Distribution(Logits(), [], [], new float[Logits().Length]);

        Assert.Equal(Enumerable.Range(0, 30).Select(_ => untouched.Sample(Logits(), [], [])), Enumerable.Range(0, 30).Select(_ => probed.Sample(Logits(), [], [])));
    }
}
