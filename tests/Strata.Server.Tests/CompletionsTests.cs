using System.Net;
using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Server.Tests;

public sealed class CompletionsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly IReadOnlyList<GoldenGreedy.Run> Golden = GoldenGreedy.Read("stories260k-f32.greedy.txt");

    private RunningServer Server => fixture.Server;

    [Fact]
    public async Task Completions_GreedyGoldenPrompts_EqualLlamaCppText()
    {
        foreach (var golden in Golden)
        {
            var answer = await Server.PostOkAsync("/v1/completions", new { model = Server.ModelName, prompt = golden.Prompt, max_tokens = 64, temperature = 0 });

            Assert.Equal("text_completion", answer.GetProperty("object").GetString());
            Assert.StartsWith("cmpl-", answer.GetProperty("id").GetString());
            Assert.Equal(Server.ModelName, answer.GetProperty("model").GetString());
            var choice = answer.GetProperty("choices")[0];
            Assert.Equal(golden.Text, choice.GetProperty("text").GetString());
            Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
            Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
            var usage = answer.GetProperty("usage");
            Assert.Equal(golden.PromptTokens.Length, usage.GetProperty("prompt_tokens").GetInt32());
            Assert.Equal(64, usage.GetProperty("completion_tokens").GetInt32());
            Assert.Equal(golden.PromptTokens.Length + 64, usage.GetProperty("total_tokens").GetInt32());
            Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task Completions_TokenIdPrompt_EqualsTextPrompt()
    {
        var golden = Golden[1];

        var flat = await Server.PostOkAsync("/v1/completions", new { prompt = golden.PromptTokens, max_tokens = 64, temperature = 0 });
        var nested = await Server.PostOkAsync("/v1/completions", new { prompt = new[] { golden.PromptTokens }, max_tokens = 64, temperature = 0 });

        Assert.Equal(golden.Text, flat.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(golden.Text, nested.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completions_Stream_JoinsToGoldenTextThenUsageThenDone()
    {
        var golden = Golden[0];

        using var response = await Server.PostAsync("/v1/completions", new
        {
            prompt = golden.Prompt, max_tokens = 64, temperature = 0, stream = true, stream_options = new { include_usage = true },
        });
        var chunks = await Sse.ReadChunksAsync(response);

        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal(golden.Text, Sse.JoinChoices(chunks[..^1], 1, Sse.CompletionText)[0]);
        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Empty(chunks[^1].GetProperty("choices").EnumerateArray());
        Assert.Equal(64, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_StreamWithoutUsage_HasNoUsageChunk()
    {
        using var response = await Server.PostAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 8, temperature = 0, stream = true });
        var chunks = await Sse.ReadChunksAsync(response);

        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.Equal(", there was a little girl", Sse.JoinChoices(chunks, 1, Sse.CompletionText)[0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Completions_StopStrings_CutBeforeTheFirstAndFinishWithStop(bool stream)
    {
        var body = new { prompt = "Once upon a time", max_tokens = 64, temperature = 0, stop = new[] { "park", "girl" }, stream };

        var (text, finish) = await CompleteAsync(body, stream);

        Assert.Equal(", there was a little ", text);
        Assert.Equal("stop", finish);
    }

    [Fact]
    public async Task Completions_StopAsOneString_Accepted()
    {
        var (text, finish) = await CompleteAsync(new { prompt = "Once upon a time", max_tokens = 64, temperature = 0, stop = "Lily" }, stream: false);

        Assert.Equal(", there was a little girl named ", text);
        Assert.Equal("stop", finish);
    }

    [Fact]
    public async Task Completions_SameSeed_SameTextAndOtherSeedDiffers()
    {
        object Body(int seed) => new { prompt = "Once upon a time", max_tokens = 32, temperature = 1.2, seed };

        var first = await CompleteAsync(Body(7), stream: false);
        var again = await CompleteAsync(Body(7), stream: true);
        var other = await CompleteAsync(Body(8), stream: false);

        Assert.Equal(first, again);
        Assert.NotEqual(first.Text, other.Text);
    }

    [Fact]
    public async Task Completions_RepeatedLongPrompt_ReportsCachedTokensAndSameText()
    {
        var body = new { prompt = string.Concat(Enumerable.Repeat("Tim had a red ball. ", 12)), max_tokens = 16, temperature = 0 };

        var first = await Server.PostOkAsync("/v1/completions", body);
        var second = await Server.PostOkAsync("/v1/completions", body);

        var promptTokens = second.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        var cached = second.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.InRange(cached, 16, promptTokens - 1);
        Assert.Equal(first.GetProperty("choices")[0].GetProperty("text").GetString(), second.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completions_NoMaxTokens_GeneratesSixteen()
    {
        var answer = await Server.PostOkAsync("/v1/completions", new { prompt = "Once upon a time", temperature = 0 });

        Assert.Equal(16, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Completions_ThreeGreedyChoices_AllEqualAndUsageCountsEach()
    {
        var answer = await Server.PostOkAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 8, temperature = 0, n = 3 });

        var choices = answer.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal(", there was a little girl", c.GetProperty("text").GetString()));
        Assert.Equal(24, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_ChoicesStreamed_EachJoinsToItsOwnText()
    {
        using var response = await Server.PostAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 20, temperature = 1.5, seed = 3, n = 3, stream = true });
        var streamed = Sse.JoinChoices(await Sse.ReadChunksAsync(response), 3, Sse.CompletionText);

        var whole = await Server.PostOkAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 20, temperature = 1.5, seed = 3, n = 3 });

        Assert.Equal(whole.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()), streamed);
        Assert.True(streamed.Distinct().Count() > 1, "hot sampling should make choices differ");
    }

    [Fact]
    public async Task Completions_Logprobs_ReportTokensAlternativesAndOffsets()
    {
        var answer = await Server.PostOkAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 8, temperature = 0, logprobs = 3 });

        var choice = answer.GetProperty("choices")[0];
        var logprobs = choice.GetProperty("logprobs");
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal([",", " there", " was", " a", " little", " g", "ir", "l"], tokens);
        Assert.Equal(string.Concat(tokens), choice.GetProperty("text").GetString());
        Assert.Equal([0, 1, 7, 11, 13, 20, 22, 24], logprobs.GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()));
        var chosen = logprobs.GetProperty("token_logprobs").EnumerateArray().Select(l => l.GetSingle()).ToList();
        var top = logprobs.GetProperty("top_logprobs").EnumerateArray().ToList();
        for (var i = 0; i < tokens.Count; i++)
        {
            var alternatives = top[i].EnumerateObject().ToList();
            Assert.Equal(3, alternatives.Count);
            // Greedy picks the most likely token, so it leads the alternatives with the same log-probability.
            Assert.Equal(tokens[i], alternatives[0].Name);
            Assert.Equal(chosen[i], alternatives[0].Value.GetSingle());
            Assert.True(chosen[i] <= 0);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Completions_InvalidUtf8Bytes_ReplacedNeverAnError(bool stream)
    {
        // Forcing the byte token <0xC3> over and over gives lead bytes that never complete a UTF-8 character.
        const int leadByteC3 = 3 + 0xC3;
        var body = new { prompt = "Once", max_tokens = 6, temperature = 0, logit_bias = new Dictionary<string, int> { [$"{leadByteC3}"] = 100 }, logprobs = 1, stream };

        var (text, _) = await CompleteAsync(body, stream);

        Assert.NotEmpty(text);
        Assert.All(text, c => Assert.Equal('\uFFFD', c));
        if (!stream)
        {
            var answer = await Server.PostOkAsync("/v1/completions", body);
            Assert.Equal("\uFFFD", answer.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("tokens")[0].GetString());
        }
    }

    [Fact]
    public async Task Completions_TopPBelowSinglePrecision_KeepsOnlyTheMostLikelyToken()
    {
        var (text, _) = await CompleteAsync(new { prompt = "Once upon a time", max_tokens = 8, temperature = 1.5, seed = 3, top_p = 1e-300 }, stream: false);

        Assert.Equal(", there was a little girl", text);
    }

    [Fact]
    public async Task Completions_EverySamplingParameter_Accepted()
    {
        var answer = await Server.PostOkAsync("/v1/completions", new
        {
            model = Server.ModelName, prompt = "Tim had a red ball", max_tokens = 12, temperature = 0.8, top_p = 0.9, top_k = 40, min_p = 0.05,
            seed = 5, presence_penalty = 0.5, frequency_penalty = 0.5, repetition_penalty = 1.1, logit_bias = new Dictionary<string, double> { ["13"] = -100 },
            ignore_eos = true, user = "tester", n = 2, stop = (string?)null, logprobs = (int?)null,
        });

        Assert.All(answer.GetProperty("choices").EnumerateArray(), c => Assert.Equal("length", c.GetProperty("finish_reason").GetString()));
        Assert.Equal(24, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    private async Task<(string Text, string? Finish)> CompleteAsync(object body, bool stream)
    {
        if (!stream)
        {
            var choice = (await Server.PostOkAsync("/v1/completions", body)).GetProperty("choices")[0];
            return (choice.GetProperty("text").GetString()!, choice.GetProperty("finish_reason").GetString());
        }
        var json = JsonSerializer.SerializeToNode(body)!.AsObject();
        json["stream"] = true;
        using var response = await Server.PostRawAsync("/v1/completions", json.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chunks = await Sse.ReadChunksAsync(response);
        return (Sse.JoinChoices(chunks, 1, Sse.CompletionText)[0], chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }
}
