using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Strata.Server.Tests;

/// <summary>A failing engine step reaches the operator: an error in the log, a 500 to the client, a server that keeps answering.</summary>
public sealed class EngineFailureTests
{
    [Fact]
    public async Task FailingStep_IsLoggedAsAnErrorAndTheRequestGets500()
    {
        using var logs = new CapturedLogs();
        using var factory = logs.CreateFactory();
        await using var server = await RunningServer.StartAsync(serverOptions: new ServerOptions { LoggerFactory = factory });
        // The engine has no seam for a failing runner yet: taking its runner away makes the next step throw, as a bug would.
        typeof(Engine.InferenceEngine).GetField("_runner", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(server.Engine, null);

        using var response = await server.PostAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 4 });
        using var health = await server.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains(logs.Entries, e => e.Category == "Strata.Engine" && e.Level == LogLevel.Error && e.Message.Contains("engine step failed", StringComparison.Ordinal));
    }
}
