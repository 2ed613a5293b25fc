using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Server.Tests;

/// <summary><c>service_tier</c> on the wire, early rejection by tier, and tenants' limits, each error with its status, body and <c>Retry-After</c>.</summary>
public sealed class ServiceTierTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Completions = "/v1/completions";
    private const string Chat = "/v1/chat/completions";

    [Theory]
    [InlineData("priority", "priority")]
    [InlineData("default", "default")]
    [InlineData("flex", "flex")]
    [InlineData("auto", "default")]
    [InlineData(null, "default")]
    public async Task Post_ServiceTier_EchoedInTheResponse(string? asked, string served)
    {
        var body = new Dictionary<string, object> { ["prompt"] = "Once upon a time", ["max_tokens"] = 2 };
        if (asked is not null)
            body["service_tier"] = asked;

        var answer = await fixture.Server.PostOkAsync(Completions, body);

        Assert.Equal(served, answer.GetProperty("service_tier").GetString());
    }

    [Fact]
    public async Task Post_ServiceTierStreamed_EveryChunkCarriesIt()
    {
        using var response = await fixture.Server.PostAsync(Chat, new
        {
            messages = new[] { new { role = "user", content = "Hi" } },
            max_tokens = 3,
            stream = true,
            stream_options = new { include_usage = true },
            service_tier = "flex",
        });
        var chunks = await Sse.ReadChunksAsync(response);

        Assert.True(chunks.Count >= 3);
        Assert.All(chunks, chunk => Assert.Equal("flex", chunk.GetProperty("service_tier").GetString()));
    }

    [Theory]
    [InlineData("\"gold\"")]
    [InlineData("\"Priority\"")]
    [InlineData("1")]
    public async Task Post_UnknownServiceTier_400NamingTheField(string value)
    {
        using var response = await fixture.Server.PostRawAsync(Completions, $$"""{"prompt": "Once", "max_tokens": 1, "service_tier": {{value}}}""");

        var error = await ReadErrorAsync(response, 400);
        Assert.Equal("service_tier", error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Post_PredictedToMissItsTarget_RefusedAtOnceLowerTiersFirst()
    {
        var levels = new ServiceLevels
        {
            EarlyRejection = true,
            Priority = new SloTarget(TimeSpan.FromHours(1), TimeSpan.FromSeconds(1)),
            Default = new SloTarget(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)),
            Flex = new SloTarget(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)),
        };
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with { MaxSequences = 1, ServiceLevels = levels });
        // Forty gold requests of 480 tokens each, run one at a time. Once twenty of them wait, over 9,000 steps are
        // ahead of anything else: over 15 ms (the target and its margin) even at 1.5 µs a step, while the request's own
        // first step alone stays well under it (a request the load is not to blame for is admitted). Gold's own target
        // is an hour, so the backlog itself is admitted. The streams are not awaited: their headers may come only once
        // they run.
        using var backlogCancellation = new CancellationTokenSource();
        var backlog = Enumerable.Range(0, 40).Select(_ => StartStreamAsync(server, "priority", 480, backlogCancellation.Token)).ToArray();
        await WaitUntilAsync(async () => await server.MetricAsync("strata_sequences_waiting") >= 20);

        using var flex = await server.PostAsync(Completions, new { prompt = "Once upon a time", max_tokens = 8, service_tier = "flex" });
        using var silver = await server.PostAsync(Completions, new { prompt = "Once upon a time", max_tokens = 8 });

        var flexError = await ReadErrorAsync(flex, 429);
        Assert.Equal("resource_unavailable", flexError.GetProperty("code").GetString());
        Assert.Equal("service_tier", flexError.GetProperty("param").GetString());
        Assert.Contains("time-to-first-token target", flexError.GetProperty("message").GetString());
        Assert.True(flex.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {flex.Headers.RetryAfter}");
        var silverError = await ReadErrorAsync(silver, 503);
        Assert.Equal("slo_unattainable", silverError.GetProperty("code").GetString());
        Assert.Equal("server_error", silverError.GetProperty("type").GetString());
        Assert.True(silver.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(1, await server.MetricAsync("strata_rejections_total{reason=\"slo_predicted_miss\",tier=\"flex\"}"));
        Assert.Equal(1, await server.MetricAsync("strata_rejections_total{reason=\"slo_predicted_miss\",tier=\"default\"}"));
        await backlogCancellation.CancelAsync();
        foreach (var stream in backlog.Where(s => s.IsCompletedSuccessfully))
            (await stream).Dispose();
        await server.WaitForIdleAsync();
    }

    [Fact]
    public async Task Post_TenantOverConcurrencyLimit_429RateLimitExceeded()
    {
        var tenants = new[] { new TenantSettings("key-a", "acme", ServiceTier.Flex, MaxConcurrent: 1) };
        await using var server = await RunningServer.StartAsync(apiKey: "key-a", tenants: tenants);
        using var running = await StartStreamAsync(server, null, 300);
        await FirstEventAsync(running);

        using var second = await server.PostAsync(Completions, new { prompt = "Once", max_tokens = 2 });

        var error = await ReadErrorAsync(second, 429);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Contains("acme", error.GetProperty("message").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        running.Dispose();
        await server.WaitForIdleAsync();
        // The slot is given back when the stream ends; auto means the tenant's default tier.
        var answer = await server.PostOkAsync(Completions, new { prompt = "Once", max_tokens = 2, service_tier = "auto" });
        Assert.Equal("flex", answer.GetProperty("service_tier").GetString());
    }

    [Fact]
    public async Task Post_TenantOverTokensPerMinute_429WithTheWaitInRetryAfter()
    {
        var tenants = new[] { new TenantSettings("key-b", "bolt", TokensPerMinute: 120), new TenantSettings("key-c", "calm") };
        await using var server = await RunningServer.StartAsync(apiKey: "key-b", tenants: tenants);

        await server.PostOkAsync(Completions, new { prompt = new[] { 1, 2, 3, 4 }, max_tokens = 76 }); // 80 of 120 tokens
        using var over = await server.PostAsync(Completions, new { prompt = new[] { 1, 2, 3, 4 }, max_tokens = 76 });
        using var other = new HttpClient { BaseAddress = server.BaseAddress };
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "key-c");
        using var calm = await other.PostAsync(Completions, new StringContent("""{"prompt": [1, 2, 3, 4], "max_tokens": 76}""", System.Text.Encoding.UTF8, "application/json"));

        var error = await ReadErrorAsync(over, 429);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("120 tokens per minute", error.GetProperty("message").GetString());
        // 40 tokens short at 2 per second: about 20 s.
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 15, 21);
        Assert.Equal(HttpStatusCode.OK, calm.StatusCode); // another tenant's budget is its own
    }

    [Fact]
    public void Parse_TenantsFile_ReadsEveryFieldAndNamesWhatIsWrong()
    {
        var tenants = TenantSettings.Parse("""[{"api_key": "k1", "name": "a", "default_tier": "priority", "max_concurrent": 4, "tokens_per_minute": 1000}, {"api_key": "k2", "name": "b"}]""");

        Assert.Equal(new TenantSettings("k1", "a", ServiceTier.Priority, 4, 1000), tenants[0]);
        Assert.Equal(new TenantSettings("k2", "b"), tenants[1]);
        Assert.Contains("default_tier", Assert.Throws<FormatException>(() => TenantSettings.Parse("""[{"api_key": "k", "name": "a", "default_tier": "gold"}]""")).Message);
        Assert.Contains("api_key", Assert.Throws<FormatException>(() => TenantSettings.Parse("""[{"name": "a"}]""")).Message);
        Assert.Contains("max_concurrent", Assert.Throws<FormatException>(() => TenantSettings.Parse("""[{"api_key": "k", "name": "a", "max_concurrent": -1}]""")).Message);
        Assert.Contains("same api_key", Assert.Throws<FormatException>(() => TenantSettings.Parse("""[{"api_key": "k", "name": "a"}, {"api_key": "k", "name": "b"}]""")).Message);
    }

    private static async Task<HttpResponseMessage> StartStreamAsync(RunningServer server, string? tier, int maxTokens, CancellationToken cancellation = default)
    {
        var body = new Dictionary<string, object> { ["prompt"] = "Once upon a time", ["max_tokens"] = maxTokens, ["ignore_eos"] = true, ["stream"] = true };
        if (tier is not null)
            body["service_tier"] = tier;
        var request = new HttpRequestMessage(HttpMethod.Post, Completions) { Content = JsonContent(body) };
        var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits for a stream's first event: its request is running in the engine.</summary>
    private static async Task FirstEventAsync(HttpResponseMessage response)
    {
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                return;
        }
        Assert.Fail("the stream ended without an event");
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ReadErrorAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
    }
}
