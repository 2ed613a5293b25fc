using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Strata.Server.Tests;

/// <summary><c>/health</c> says the process is alive; <c>/health/ready</c> whether it should get traffic.</summary>
public sealed class HealthTests
{
    private static readonly object Completion = new { prompt = "Once upon a time", max_tokens = 4, temperature = 0 };

    [Fact]
    public async Task Ready_IdleServer_IsHealthy()
    {
        await using var server = await RunningServer.StartAsync();

        var (status, body) = await server.ReadyAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(["draining", "engine-loop", "kv-admission", "remote-store"], body.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Ready_WhileLoopStalled_IsUnavailableThenRecovers()
    {
        await using var server = await RunningServer.StartAsync(serverOptions: new ServerOptions { LogLevel = LogLevel.Error, LoopStallTimeout = TimeSpan.FromMilliseconds(300) });
        using var gate = new ManualResetEventSlim();
        var stall = server.Engine.RunOnLoopAsync(() => gate.Wait(TimeSpan.FromSeconds(30)));

        var (status, body) = await server.ReadyAsync();
        using var alive = await server.Http.GetAsync("/health");
        gate.Set();
        await stall;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("engine-loop").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.ReadyAsync()).Status);
    }

    [Fact]
    public async Task Ready_WhileDraining_IsUnavailable_NewRequestsRefused_RunningOneFinishes()
    {
        await using var server = await RunningServer.StartAsync(serverOptions: new ServerOptions { LogLevel = LogLevel.Error, DrainTimeout = TimeSpan.FromSeconds(30), LoopStallTimeout = TimeSpan.FromMilliseconds(300) });
        using var gate = new ManualResetEventSlim();
        var stall = server.Engine.RunOnLoopAsync(() => gate.Wait(TimeSpan.FromSeconds(30)));
        var running = server.PostAsync("/v1/completions", Completion);
        await RunningServer.WaitUntilAsync(() => Task.FromResult(server.Server.State.RunningRequests == 1));
        using var stop = new CancellationTokenSource();
        var shutdown = server.Server.WaitForShutdownAsync(stop.Token);

        await stop.CancelAsync();
        // The drain begins on a continuation of the cancellation, which a loaded machine may run a little later.
        await RunningServer.WaitUntilAsync(() => Task.FromResult(server.Server.State.Draining));
        var (status, body) = await server.ReadyAsync();
        using var refused = await server.PostAsync("/v1/completions", Completion);
        gate.Set();
        using var finished = await running;
        await shutdown.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("draining").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("shutting_down", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        await stall;
    }

    [Fact]
    public async Task AccessLog_EveryApiRequest_OneLineWithStatusTokensAndNoKey()
    {
        using var logs = new CapturedLogs();
        using var factory = logs.CreateFactory();
        await using var server = await RunningServer.StartAsync(apiKey: "sk-very-secret", serverOptions: new ServerOptions { LoggerFactory = factory });

        await server.PostOkAsync("/v1/completions", Completion);
        using var bad = await server.PostRawAsync("/v1/completions", "{");
        server.Http.DefaultRequestHeaders.Authorization = new("Bearer", "sk-wrong-guess");
        using var unauthorized = await server.PostAsync("/v1/completions", Completion);

        var lines = logs.Entries.Where(e => e.Category.EndsWith("AccessLog", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Matches(@"^POST /v1/completions 200 .* prompt_tokens=5 cached_tokens=\d+ completion_tokens=4 ttft_ms=\d", lines[0]);
        Assert.Matches(@"^POST /v1/completions 400 .*tenant=[0-9A-F]{16} ", lines[1]);
        Assert.StartsWith("POST /v1/completions 401 ", lines[2]);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("secret", StringComparison.Ordinal) || e.Message.Contains("wrong-guess", StringComparison.Ordinal));
    }
}
