using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Models;

namespace Strata.Server.Tests;

/// <summary>A real Kestrel server on a free port of 127.0.0.1, over an engine and a model of its own.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    public static readonly EngineOptions SmallEngine = new() { KvCacheBytes = 16L << 20, Threads = 1, MaxBatchedTokens = 256 };

    private readonly LoadedModel _model;
    private readonly StrataServer _server;

    private RunningServer(LoadedModel model, InferenceEngine engine, StrataServer server, string? apiKey)
    {
        _model = model;
        Engine = engine;
        _server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public InferenceEngine Engine { get; }

    public StrataServer Server => _server;

    public HttpClient Http { get; }

    public Uri BaseAddress => _server.BaseAddress;

    public string ModelName => _model.Name;

    /// <param name="serverOptions">Defaults to errors logged; the port is always a free one and <paramref name="apiKey"/> is added to its keys.</param>
    /// <param name="tenants">Tenants the server knows; <paramref name="apiKey"/> may be one of theirs (then it is not added as a plain key).</param>
    public static async Task<RunningServer> StartAsync(EngineOptions? engineOptions = null, string? apiKey = null, string? modelPath = null, ServerOptions? serverOptions = null,
        IReadOnlyList<TenantSettings>? tenants = null)
    {
        var model = LoadedModel.Load(modelPath ?? ModelFiles.Stories);
        // The engine logs where the server does, as `strata serve` wires them.
        var engine = InferenceEngine.Start(model, engineOptions ?? SmallEngine, serverOptions?.LoggerFactory);
        var options = serverOptions ?? new ServerOptions { LogLevel = LogLevel.Error };
        var plainKey = apiKey is not null && tenants is null;
        var server = await StrataServer.StartAsync(engine, options with
        {
            Port = 0,
            ApiKeys = plainKey ? [.. options.ApiKeys, apiKey!] : options.ApiKeys,
            Tenants = tenants ?? options.Tenants,
        });
        return new RunningServer(model, engine, server, apiKey);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body, CancellationToken cancellation = default) =>
        PostRawAsync(path, JsonSerializer.Serialize(body), cancellation);

    public Task<HttpResponseMessage> PostRawAsync(string path, string json, CancellationToken cancellation = default) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellation);

    /// <summary>Posts a request that must succeed and returns its JSON answer.</summary>
    public async Task<JsonElement> PostOkAsync(string path, object body)
    {
        using var response = await PostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The text of a greedy completion, the way every test asks for one.</summary>
    public async Task<string> GreedyTextAsync(string prompt, int maxTokens)
    {
        var answer = await PostOkAsync("/v1/completions", new { prompt, max_tokens = maxTokens, temperature = 0 });
        return answer.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    /// <summary>The value of an unlabelled sample in <c>/metrics</c>, or of a labelled one given as <c>name{label="value"}</c>.</summary>
    public async Task<double> MetricAsync(string sample)
    {
        var text = await Http.GetStringAsync("/metrics");
        // An unlabelled sample is written "name{} value" by the OpenTelemetry exporter.
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal) || l.StartsWith(sample + "{} ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until nothing runs or waits and every KV block is free, as /metrics reports it.</summary>
    public async Task WaitForIdleAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await IsIdleAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "the engine did not become idle: " + await Http.GetStringAsync("/metrics"));
            await Task.Delay(20);
        }
    }

    /// <summary>The readiness probe's status and JSON report.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync()
    {
        using var response = await Http.GetAsync("/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>Waits up to 10 s for <paramref name="condition"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }

    /// <summary>The server still answers: /health is 200 and a small completion succeeds.</summary>
    public async Task AssertHealthyAsync()
    {
        using var health = await Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(", there was a little girl", await GreedyTextAsync("Once upon a time", 8));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.DisposeAsync();
        Engine.Dispose();
        _model.Dispose();
    }

    private async Task<bool> IsIdleAsync() =>
        await MetricAsync("strata_kv_blocks_used") == 0
        && await MetricAsync("strata_sequences_running") == 0
        && await MetricAsync("strata_sequences_waiting") == 0;
}
