using System.Diagnostics;
using System.Text.Json;

namespace Strata.Cli.Tests.Cluster;

/// <summary>Nodes killed with SIGKILL under a router, before and after a request's first token.</summary>
public sealed class RouterFaultTests(RouterFaultTests.ThreeNodes cluster) : IClassFixture<RouterFaultTests.ThreeNodes>
{
    [Fact]
    public async Task NodeKilledBeforeTheResponse_RequestIsRetriedOnAnotherNodeAndSucceeds()
    {
        var router = cluster.Value.Router;
        // Long enough (4 choices of 400 tokens) that the node is still computing when it is killed.
        var request = new { prompt = "Once upon a time", max_tokens = 400, n = 4, temperature = 0, ignore_eos = true };
        var retries = await router.MetricAsync("strata_router_retries_total");

        var routed = RouterTests.TextAsync(router.Http, "/v1/completions", request, stream: false);
        var victim = await cluster.Value.BusyNodeAsync();
        victim.Kill();
        var text = await routed;

        Assert.Equal(retries + 1, await router.MetricAsync("strata_router_retries_total"));
        var survivor = cluster.Value.Nodes.First(n => n != victim && !n.HasExited);
        Assert.Equal(await RouterTests.TextAsync(survivor.Http, "/v1/completions", request, stream: false), text);
    }

    [Fact]
    public async Task NodeKilledAfterTheFirstToken_StreamEndsWithAnErrorEventWithinTwoSeconds()
    {
        var router = cluster.Value.Router;
        var body = LocalCluster.Body(new { prompt = "Once upon a time", max_tokens = 400, temperature = 0, stream = true, ignore_eos = true });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = body };
        using var response = await router.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
        {
        }
        var victim = await cluster.Value.BusyNodeAsync();

        victim.Kill();
        var killed = Stopwatch.StartNew();
        var events = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                events.Add(line["data: ".Length..]);
        killed.Stop();

        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(2), $"the stream ended {killed.Elapsed} after the kill");
        Assert.Equal("[DONE]", events[^1]);
        var error = JsonDocument.Parse(events[^2]).RootElement.GetProperty("error");
        Assert.Equal("node_failed", error.GetProperty("code").GetString());
    }

    public sealed class ThreeNodes : IAsyncLifetime
    {
        internal LocalCluster Value { get; private set; } = null!;

        public async Task InitializeAsync() => Value = await LocalCluster.StartAsync(3, policy: "round-robin");

        public Task DisposeAsync()
        {
            Value.Dispose();
            return Task.CompletedTask;
        }
    }
}
