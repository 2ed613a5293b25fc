using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

/// <summary>The simulator's requests are bench serve's, word for word: the same random stream gives the same words as token ids.</summary>
public sealed class TokenPromptsTests
{
    private static string Words(int[] ids) => string.Join(' ', ids.Select(id => PromptWords.All[id - 1]));

    [Fact]
    public void Random_TokenPromptsAreTheTextPromptsWordForWord()
    {
        var dataset = new RandomDataset(20, new LengthRange(40, 0.5), new LengthRange(16, 0.5));

        var text = dataset.Create(TokenEstimate.OneTokenPerWord, new Random(3));
        var tokens = dataset.TokenPrompts(new Random(3)).ToArray();

        Assert.Equal(text.Select(r => r.Prompt), tokens.Select(t => Words(t.Tokens)));
        Assert.Equal(text.Select(r => r.MaxTokens), tokens.Select(t => t.MaxTokens));
        Assert.Equal(text.Select(r => r.TargetPromptTokens), tokens.Select(t => t.Tokens.Length));
    }

    [Fact]
    public void SharedPrefix_TokenPromptsAreSystemPromptThenQuestion()
    {
        var dataset = new SharedPrefixDataset(groups: 3, prefixTokens: 24, questionsPerGroup: 4, questionTokens: 8, outputTokens: 5);

        var text = dataset.Create(TokenEstimate.OneTokenPerWord, new Random(9));
        var tokens = dataset.TokenPrompts(new Random(9)).ToArray();

        Assert.Equal(text.Select(r => $"{r.SystemPrompt} {r.Prompt}"), tokens.Select(t => Words(t.Tokens)));
        Assert.All(tokens, t => Assert.Equal(5, t.MaxTokens));
    }
}
