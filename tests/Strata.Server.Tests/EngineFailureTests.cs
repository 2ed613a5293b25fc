using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Engine.Core;
using Strata.Engine.Running;

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
        // A runner that throws in place of the model's, as a bug or a failed allocation would.
        var parts = (EngineParts)typeof(InferenceEngine).GetFields(BindingFlags.NonPublic | BindingFlags.Instance).Single(f => f.FieldType == typeof(EngineParts)).GetValue(server.Engine)!;
        typeof(EngineCore).GetFields(BindingFlags.NonPublic | BindingFlags.Instance).Single(f => f.FieldType == typeof(IStepRunner)).SetValue(parts.Core, new FailingRunner());

        using var response = await server.PostAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 4 });
        using var health = await server.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains(logs.Entries, e => e.Category == "Strata.Engine" && e.Level == LogLevel.Error && e.Message.Contains("engine step failed", StringComparison.Ordinal));
    }
}
