using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Server.Tests;

/// <summary>Prompt batches, echo, best_of, suffix, and /tokenize and /detokenize.</summary>
public sealed class CompletenessTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly GoldenGreedy.Run Golden = GoldenGreedy.Read("stories260k-f32.greedy.txt")[0];

    [Fact]
    public async Task Completion_PromptBatch_OneChoiceSetPerPromptInOrder()
    {
        var single = await fixture.Server.GreedyTextAsync("Once upon a time", 12);
        var other = await fixture.Server.GreedyTextAsync("The cat", 12);

        var answer = await fixture.Server.PostOkAsync("/v1/completions", new
        {
            prompt = new[] { "Once upon a time", "The cat" }, max_tokens = 12, temperature = 0, n = 2,
        });
        var choices = answer.GetProperty("choices").EnumerateArray().ToList();

        Assert.Equal([0, 1, 2, 3], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal([single, single, other, other], choices.Select(c => c.GetProperty("text").GetString()));
        Assert.Equal(48, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completion_TokenIdBatch_MatchesTextPrompts()
    {
        var answer = await fixture.Server.PostOkAsync("/v1/completions", new
        {
            prompt = new[] { Golden.PromptTokens, Golden.PromptTokens }, max_tokens = 8, temperature = 0,
        });

        Assert.All(answer.GetProperty("choices").EnumerateArray(), c => Assert.Equal(", there was a little girl", c.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Completion_Echo_PrependsThePromptStreamedAndNot()
    {
        var answer = await fixture.Server.PostOkAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 8, temperature = 0, echo = true });
        using var stream = await fixture.Server.PostAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 8, temperature = 0, echo = true, stream = true });
        var streamed = Sse.JoinChoices(await Sse.ReadChunksAsync(stream), 1, Sse.CompletionText)[0];

        Assert.Equal("Once upon a time, there was a little girl", answer.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("Once upon a time, there was a little girl", streamed);
    }

    [Fact]
    public async Task Completion_BestOf_ReturnsTheMostLikelyOfTheCandidates()
    {
        var candidates = await fixture.Server.PostOkAsync("/v1/completions", new
        {
            prompt = "Once upon a time", max_tokens = 10, temperature = 1.5, seed = 21, n = 5, logprobs = 0,
        });
        var best = await fixture.Server.PostOkAsync("/v1/completions", new
        {
            prompt = "Once upon a time", max_tokens = 10, temperature = 1.5, seed = 21, n = 2, best_of = 5,
        });

        var ranked = candidates.GetProperty("choices").EnumerateArray()
            .OrderByDescending(c => c.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Sum(l => l.GetDouble()))
            .Select(c => c.GetProperty("text").GetString()).Take(2).ToList();
        var chosen = best.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(ranked, chosen.Select(c => c.GetProperty("text").GetString()));
        Assert.Equal([0, 1], chosen.Select(c => c.GetProperty("index").GetInt32()));
        Assert.True(chosen.All(c => c.GetProperty("logprobs").ValueKind == JsonValueKind.Null));
        Assert.Equal(50, best.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"prompt": "x", "suffix": "y"}""", "suffix")]
    [InlineData("""{"prompt": "x", "n": 3, "best_of": 2}""", "best_of")]
    [InlineData("""{"prompt": "x", "n": 1, "best_of": 2, "stream": true}""", "best_of")]
    [InlineData("""{"prompt": "x", "echo": true, "logprobs": 1}""", "echo")]
    [InlineData("""{"prompt": ["a", 5]}""", "prompt")]
    public async Task Post_UnsupportedCombination_Is400(string body, string param)
    {
        using var response = await fixture.Server.PostRawAsync("/v1/completions", body);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains($"\"param\":\"{param}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_ThenDetokenize_RoundTrips()
    {
        var tokens = await fixture.Server.PostOkAsync("/tokenize", new { content = "Once upon a time" });
        var ids = tokens.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        var pieces = await fixture.Server.PostOkAsync("/tokenize", new { prompt = "Once upon a time", add_special_tokens = false, with_pieces = true });
        var text = await fixture.Server.PostOkAsync("/detokenize", new { tokens = ids[1..] });

        Assert.Equal(Golden.PromptTokens, ids);
        Assert.Equal(ids.Length, tokens.GetProperty("count").GetInt32());
        Assert.Equal(ids[1..], pieces.GetProperty("tokens").EnumerateArray().Select(p => p.GetProperty("id").GetInt32()));
        Assert.Equal("Once upon a time", string.Concat(pieces.GetProperty("tokens").EnumerateArray().Select(p => p.GetProperty("piece").GetString())).Trim());
        Assert.Equal("Once upon a time", text.GetProperty("content").GetString());
        Assert.Equal("Once upon a time", text.GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Detokenize_IdOutsideVocabulary_Is400()
    {
        using var response = await fixture.Server.PostAsync("/detokenize", new { tokens = new[] { 1, 99999 } });

        Assert.Equal(400, (int)response.StatusCode);
    }
}
