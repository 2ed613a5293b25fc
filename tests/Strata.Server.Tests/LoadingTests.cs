using System.Net;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Models;

namespace Strata.Server.Tests;

/// <summary>The server answers its probes before the model has loaded: alive, not ready, and API routes refused.</summary>
public sealed class LoadingTests
{
    [Fact]
    public async Task Ready_WhileTheModelLoads_IsUnavailableThenReady()
    {
        using var model = LoadedModel.Load(ModelFiles.Stories);
        using var engine = InferenceEngine.Start(model, RunningServer.SmallEngine);
        var loading = new TaskCompletionSource<InferenceEngine>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StrataServer.StartAsync(loading.Task, new ServerOptions { Port = 0, LogLevel = LogLevel.Error });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var alive = await http.GetAsync("/health");
        using var ready = await http.GetAsync("/health/ready");
        var readyBody = await ready.Content.ReadAsStringAsync();
        using var completion = await http.PostAsync("/v1/completions", new StringContent("""{"prompt": "Once upon a time", "max_tokens": 2}""", System.Text.Encoding.UTF8, "application/json"));
        var completionBody = await completion.Content.ReadAsStringAsync();
        loading.SetResult(engine);
        await server.Loaded;
        using var readyAfter = await http.GetAsync("/health/ready");
        using var completionAfter = await http.PostAsync("/v1/completions", new StringContent("""{"prompt": "Once upon a time", "max_tokens": 2}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("the model is loading", readyBody);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, completion.StatusCode);
        Assert.Contains("model_loading", completionBody);
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, completionAfter.StatusCode);
    }

    [Fact]
    public async Task Loaded_LoadingFails_FaultsWithTheError()
    {
        await using var server = await StrataServer.StartAsync(Task.FromException<InferenceEngine>(new InvalidDataException("not a GGUF file")),
            new ServerOptions { Port = 0, LogLevel = LogLevel.Error });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => server.Loaded);
        Assert.Equal("not a GGUF file", error.Message);
    }
}
