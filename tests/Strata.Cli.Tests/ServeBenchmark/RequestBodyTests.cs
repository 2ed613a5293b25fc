using System.Text.Json;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class RequestBodyTests
{
    private static readonly BenchmarkRequest SharedPrefixRequest = new("You are terse.", "why is the sky blue", 20, 7);

    [Fact]
    public void Create_Completions_PromptIsPrefixThenQuestion()
    {
        var body = Parse(new RequestSettings { Endpoint = ApiEndpoint.Completions, Model = "m" }, SharedPrefixRequest);

        Assert.Equal("m", body.GetProperty("model").GetString());
        Assert.Equal("You are terse.\nwhy is the sky blue", body.GetProperty("prompt").GetString());
        Assert.Equal(7, body.GetProperty("max_tokens").GetInt32());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.False(body.TryGetProperty("messages", out _));
        Assert.False(body.TryGetProperty("ignore_eos", out _));
        Assert.False(body.TryGetProperty("logit_bias", out _));
    }

    [Fact]
    public void Create_Chat_SystemAndUserMessages()
    {
        var body = Parse(new RequestSettings { Endpoint = ApiEndpoint.ChatCompletions, Model = "m" }, SharedPrefixRequest);

        var messages = body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString())).ToArray();
        Assert.Equal([("system", "You are terse."), ("user", "why is the sky blue")], messages);
        Assert.False(body.TryGetProperty("prompt", out _));
    }

    [Fact]
    public void Create_IgnoreEosTemperatureAndLogitBias_PassedThrough()
    {
        using var bias = JsonDocument.Parse("{\"13\": -100}");
        var settings = new RequestSettings { Endpoint = ApiEndpoint.Completions, Model = "m", IgnoreEos = true, Temperature = 0.7, LogitBias = bias.RootElement };

        var body = Parse(settings, new BenchmarkRequest(null, "hi", 1, 1));

        Assert.True(body.GetProperty("ignore_eos").GetBoolean());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble());
        Assert.Equal(-100, body.GetProperty("logit_bias").GetProperty("13").GetInt32());
    }

    private static JsonElement Parse(RequestSettings settings, BenchmarkRequest request) =>
        JsonDocument.Parse(RequestBody.Create(settings, request)).RootElement;
}
