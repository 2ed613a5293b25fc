using System.Net;
using System.Text.Json;
using Strata.Engine;

namespace Strata.Server.Tests;

/// <summary>Every documented client error gets its status and an OpenAI error body, and the server stays healthy after it.</summary>
public sealed class ErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Completions = "/v1/completions";
    private const string Chat = "/v1/chat/completions";
    private const string Hi = """[{"role":"user","content":"Hi"}]""";
    private static readonly string SeventeenStops = "[" + string.Join(", ", Enumerable.Range(0, 17).Select(i => $"\"s{i}\"")) + "]";

    public static TheoryData<string, string, int, string?, string?> BadRequests => new()
    {
        // Not JSON, or not an object.
        { Completions, """{"prompt": "Once",""", 400, null, null },
        { Completions, """[1, 2]""", 400, null, null },
        { Completions, "", 400, null, null },
        // Wrong types.
        { Completions, """{"prompt": "Once", "max_tokens": "ten"}""", 400, "max_tokens", null },
        { Completions, """{"prompt": "Once", "max_tokens": 2.5}""", 400, "max_tokens", null },
        { Completions, """{"prompt": "Once", "temperature": "hot"}""", 400, "temperature", null },
        { Completions, """{"prompt": "Once", "stream": "yes"}""", 400, "stream", null },
        { Completions, """{"prompt": "Once", "n": [1]}""", 400, "n", null },
        { Completions, """{"prompt": "Once", "stop": 5}""", 400, "stop", null },
        { Completions, """{"prompt": "Once", "stop": ["a", 5]}""", 400, "stop", null },
        { Completions, """{"prompt": "Once", "seed": "x"}""", 400, "seed", null },
        { Completions, """{"prompt": "Once", "logprobs": true}""", 400, "logprobs", null },
        { Completions, """{"prompt": "Once", "logit_bias": [1]}""", 400, "logit_bias", null },
        { Completions, """{"prompt": "Once", "user": 7}""", 400, "user", null },
        { Completions, """{"prompt": {"text": "Once"}}""", 400, "prompt", null },
        { Completions, """{"prompt": [1, "a"]}""", 400, "prompt", null },
        { Completions, """{"model": 3, "prompt": "Once"}""", 400, "model", null },
        { Chat, """{"messages": "Hi"}""", 400, "messages", null },
        { Chat, """{"messages": ["Hi"]}""", 400, "messages[0]", null },
        { Chat, """{"messages": [{"role": "user", "content": 5}]}""", 400, "messages[0].content", null },
        { Chat, """{"messages": [{"role": "user", "content": "Hi"}, {"role": 5, "content": "Hi"}]}""", 400, "messages[1].role", null },
        { Chat, """{"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}""", 400, "messages[0].content[0].text", null },
        { Chat, $$"""{"messages": {{Hi}}, "logprobs": 1}""", 400, "logprobs", null },
        { Chat, $$"""{"messages": {{Hi}}, "stream_options": {"include_usage": "yes"}, "stream": true}""", 400, "stream_options.include_usage", null },
        // Out of range.
        { Completions, """{"prompt": "Once", "max_tokens": 0}""", 400, "max_tokens", null },
        { Completions, """{"prompt": "Once", "top_p": 0}""", 400, "top_p", null },
        { Completions, """{"prompt": "Once", "top_p": 1.5}""", 400, "top_p", null },
        { Completions, """{"prompt": "Once", "n": 0}""", 400, "n", null },
        { Completions, """{"prompt": "Once", "n": 1000}""", 400, "n", null },
        { Completions, """{"prompt": "Once", "temperature": -1}""", 400, "temperature", null },
        { Completions, """{"prompt": "Once", "top_k": -2}""", 400, "top_k", null },
        { Completions, """{"prompt": "Once", "min_p": 2}""", 400, "min_p", null },
        { Completions, """{"prompt": "Once", "presence_penalty": 3}""", 400, "presence_penalty", null },
        { Completions, """{"prompt": "Once", "frequency_penalty": -2.5}""", 400, "frequency_penalty", null },
        { Completions, """{"prompt": "Once", "repetition_penalty": 0}""", 400, "repetition_penalty", null },
        { Completions, """{"prompt": "Once", "logprobs": 21}""", 400, "logprobs", null },
        { Completions, """{"prompt": "Once", "logit_bias": {"99999": 1}}""", 400, "logit_bias", null },
        { Completions, """{"prompt": "Once", "logit_bias": {"5": 101}}""", 400, "logit_bias", null },
        { Completions, """{"prompt": "Once", "stop": [""]}""", 400, "stop", null },
        { Completions, """{"prompt": [1, 99999]}""", 400, "prompt", null },
        { Chat, $$"""{"messages": {{Hi}}, "logprobs": true, "top_logprobs": 21}""", 400, "top_logprobs", null },
        { Chat, $$"""{"messages": {{Hi}}, "top_logprobs": 2}""", 400, "top_logprobs", null },
        { Chat, $$"""{"messages": {{Hi}}, "max_completion_tokens": 0}""", 400, "max_completion_tokens", null },
        { Completions, """{"prompt": "Once", "cache_ttl": 1e12}""", 400, "cache_ttl", null },
        { Completions, """{"prompt": "Once", "cache_ttl": 9.3e11, "pin": true}""", 400, "cache_ttl", null },
        { Completions, """{"prompt": "Once", "cache_ttl": 0}""", 400, "cache_ttl", null },
        { Completions, """{"prompt": "Once", "temperature": 1e300}""", 400, "temperature", null },
        { Completions, """{"prompt": "Once", "repetition_penalty": 1e39}""", 400, "repetition_penalty", null },
        { Completions, """{"prompt": "Once", "temperature": 1e999}""", 400, "temperature", null },
        { Completions, """{"prompt": "Once", "seed": 1e30}""", 400, "seed", null },
        { Completions, """{"prompt": "Once", "n": 4294967296}""", 400, "n", null },
        { Completions, $$"""{"prompt": "Once", "stop": {{SeventeenStops}}}""", 400, "stop", null },
        { Completions, $$"""{"prompt": "Once", "stop": "{{new string('x', 257)}}"}""", 400, "stop", null },
        { Chat, $$$"""{"messages": {{{Hi}}}, "chat_template_kwargs": {"messages": [{"role": "user", "content": 5}]}}""", 400, "chat_template_kwargs.messages", null },
        { Chat, $$$"""{"messages": {{{Hi}}}, "chat_template_kwargs": {"add_generation_prompt": false}}""", 400, "chat_template_kwargs.add_generation_prompt", null },
        { Chat, $$"""{"messages": {{Hi}}, "chat_template_kwargs": [1]}""", 400, "chat_template_kwargs", null },
        // Names given twice: which one counts would depend on who reads the body.
        { Completions, """{"prompt": "Once", "max_tokens": 3, "max_tokens": 4}""", 400, null, null },
        { Chat, """{"messages": [{"role": "user", "role": "system", "content": "Hi"}]}""", 400, null, null },
        { Chat, $$$"""{"messages": {{{Hi}}}, "chat_template_kwargs": {"a": 1, "a": 2}}""", 400, null, null },
        // Missing or empty inputs, and what the server cannot do.
        { Completions, """{"max_tokens": 5}""", 400, "prompt", null },
        { Completions, """{"prompt": null}""", 400, "prompt", null },
        { Completions, """{"prompt": []}""", 400, "prompt", null },
        { Completions, """{"prompt": [[]]}""", 400, "prompt", null },
        { Completions, """{"prompt": ["Once", {"text": "Twice"}]}""", 400, "prompt", null },
        { Completions, """{"prompt": "Once", "stream_options": {"include_usage": true}}""", 400, "stream_options", null },
        { Chat, """{"max_tokens": 5}""", 400, "messages", null },
        { Chat, """{"messages": []}""", 400, "messages", null },
        { Chat, """{"messages": [{"content": "Hi"}]}""", 400, "messages[0].role", null },
        { Chat, """{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}""", 400, "messages[0].content[0].type", null },
        { Chat, """{"messages": [{"role": "user", "content": [{"type": "text"}]}]}""", 400, "messages[0].content[0].text", null },
        // The context: a prompt that fills it, or a completion that would overflow it.
        { Completions, $$"""{"prompt": "{{string.Concat(Enumerable.Repeat("Once upon a time. ", 150))}}"}""", 400, "prompt", "context_length_exceeded" },
        { Completions, """{"prompt": "Once", "max_tokens": 600}""", 400, "max_tokens", "context_length_exceeded" },
        { Chat, $$"""{"messages": {{Hi}}, "max_completion_tokens": 100000}""", 400, "max_completion_tokens", "context_length_exceeded" },
        // Not this server's model, not a route.
        { Completions, """{"model": "gpt-4o", "prompt": "Once"}""", 404, "model", "model_not_found" },
        { Chat, $$"""{"model": "gpt-4o", "messages": {{Hi}}}""", 404, "model", "model_not_found" },
        { "/v1/embeddings", """{"input": "Once"}""", 404, null, "unknown_url" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Post_BadRequest_OpenAiErrorAndServerStaysHealthy(string path, string body, int status, string? param, string? code)
    {
        using var response = await fixture.Server.PostRawAsync(path, body);

        var error = await ReadErrorAsync(response, status);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        await fixture.Server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Post_MaxTokensAtInt32Max_ContextErrorCountsWithoutOverflow()
    {
        using var response = await fixture.Server.PostRawAsync(Completions, """{"prompt": "Once", "max_tokens": 2147483647}""");

        var error = await ReadErrorAsync(response, 400);
        Assert.Equal("max_tokens", error.GetProperty("param").GetString());
        Assert.Contains("you requested 2147483649 tokens (2 in the prompt, 2147483647 for the completion)", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Post_LoneSurrogateInPrompt_BadRequestNotServerError()
    {
        using var response = await fixture.Server.PostRawAsync(Completions, """{"prompt": "Once \ud800 upon"}""");

        await ReadErrorAsync(response, 400);
        await fixture.Server.AssertHealthyAsync();
    }

    [Fact]
    public async Task Post_ApiKeySet_RequiresBearerOnApiButNotOnProbes()
    {
        await using var server = await RunningServer.StartAsync(apiKey: "sesame");
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };

        using var missing = await anonymous.PostAsync(Completions, new StringContent("""{"prompt": "Once"}"""));
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        using var wrong = await anonymous.GetAsync("/v1/models");

        var error = await ReadErrorAsync(missing, 401);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        await ReadErrorAsync(wrong, 401);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        await server.AssertHealthyAsync();
        Assert.Equal(2, await server.MetricAsync("strata_requests_total{status=\"401\"}"));
    }

    [Theory]
    [InlineData("bearer sesame", 200)]
    [InlineData("BEARER sesame", 200)]
    [InlineData("Bearer   sesame", 200)]
    [InlineData("Basic sesame", 401)]
    [InlineData("Bearersesame", 401)]
    [InlineData("sesame", 401)]
    [InlineData("Bearer sesame2", 401)]
    public async Task Get_ApiKeySchemeInAnyCase_AcceptedAndMalformedRefused(string authorization, int status)
    {
        await using var server = await RunningServer.StartAsync(apiKey: "sesame");
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.GetAsync("/v1/models");

        if (status == 200)
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        else
            await ReadErrorAsync(response, status);
    }

    [Fact]
    public async Task Post_BurstBeyondMaxQueue_SomeRefusedWith503AndServerRecovers()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with { MaxSequences = 1, MaxQueue = 1 });
        var body = new { prompt = "Once upon a time", max_tokens = 200, ignore_eos = true };

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => server.PostAsync(Completions, body)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        var error = await ReadErrorAsync(refused, 503);
        Assert.Equal("overloaded", error.GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        foreach (var response in responses)
            response.Dispose();
        await server.WaitForIdleAsync();
        await server.AssertHealthyAsync();
    }

    private static async Task<JsonElement> ReadErrorAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        return error.Clone();
    }
}
