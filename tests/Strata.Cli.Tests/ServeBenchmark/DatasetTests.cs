using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class DatasetTests
{
    private static readonly TokenEstimate OneTokenPerWord = TokenEstimate.OneTokenPerWord;

    [Fact]
    public void Random_FixedLengths_EveryPromptHasTargetWordsAndMaxTokens()
    {
        var requests = new RandomDataset(20, new LengthRange(100, 0), new LengthRange(16, 0)).Create(OneTokenPerWord, new Random(1));

        Assert.Equal(20, requests.Length);
        Assert.All(requests, r =>
        {
            Assert.Null(r.SystemPrompt);
            Assert.Equal(100, WordCount(r.Prompt));
            Assert.Equal(100, r.TargetPromptTokens);
            Assert.Equal(16, r.MaxTokens);
        });
        Assert.Equal(20, requests.Select(r => r.Prompt).Distinct().Count());
    }

    [Fact]
    public void Random_RangeRatio_LengthsSpanTheRange()
    {
        var requests = new RandomDataset(400, new LengthRange(100, 0.5), new LengthRange(20, 0.5)).Create(OneTokenPerWord, new Random(2));

        Assert.All(requests, r => Assert.InRange(r.TargetPromptTokens, 50, 150));
        Assert.All(requests, r => Assert.InRange(r.MaxTokens, 10, 30));
        Assert.Equal(50, requests.Min(r => r.TargetPromptTokens));
        Assert.Equal(150, requests.Max(r => r.TargetPromptTokens));
        Assert.All(requests, r => Assert.Equal(r.TargetPromptTokens, WordCount(r.Prompt)));
    }

    [Fact]
    public void Random_TokensPerWordAndOverhead_ScalesWordCount()
    {
        var estimate = new TokenEstimate(TokensPerWord: 2, OverheadTokens: 10);

        var requests = new RandomDataset(3, new LengthRange(210, 0), new LengthRange(8, 0)).Create(estimate, new Random(3));

        Assert.All(requests, r => Assert.Equal(100, WordCount(r.Prompt)));
    }

    [Fact]
    public void Random_SameSeed_SamePrompts()
    {
        var dataset = new RandomDataset(5, new LengthRange(30, 0.2), new LengthRange(8, 0.2));

        Assert.Equal(dataset.Create(OneTokenPerWord, new Random(9)), dataset.Create(OneTokenPerWord, new Random(9)));
    }

    [Fact]
    public void SharedPrefix_GroupsTimesQuestions_InterleavedAcrossGroups()
    {
        const int groups = 3, questions = 4;

        var requests = new SharedPrefixDataset(groups, 50, questions, 10, 12).Create(OneTokenPerWord, new Random(4));

        Assert.Equal(groups * questions, requests.Length);
        var prefixes = requests.Take(groups).Select(r => r.SystemPrompt).ToArray();
        Assert.Equal(groups, prefixes.Distinct().Count());
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(prefixes[i % groups], requests[i].SystemPrompt);
            Assert.Equal(50, WordCount(requests[i].SystemPrompt!));
            Assert.Equal(10, WordCount(requests[i].Prompt));
            Assert.Equal(60, requests[i].TargetPromptTokens);
            Assert.Equal(12, requests[i].MaxTokens);
        }
        Assert.Equal(requests.Length, requests.Select(r => r.Prompt).Distinct().Count());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, -0.1)]
    [InlineData(10, 1)]
    public void LengthRange_BadTargetOrRatio_Throws(int target, double ratio)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LengthRange(target, ratio));
    }

    private static int WordCount(string text) => text.Split(' ').Length;
}
