using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Models;
using Strata.Server.Cluster;

namespace Strata.Server.Tests;

/// <summary>A cluster node's routes meet loading and draining: a router must not count on a node that is not serving.</summary>
public sealed class ClusterNodeTests
{
    private static readonly object Completion = new { prompt = "Once upon a time", max_tokens = 4, temperature = 0 };

    [Fact]
    public async Task Node_WhileTheModelLoads_IsUnavailableThenNamesTheEngineCache()
    {
        using var model = LoadedModel.Load(ModelFiles.Stories);
        using var engine = InferenceEngine.Start(model, RunningServer.SmallEngine);
        var loading = new TaskCompletionSource<InferenceEngine>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StrataServer.StartAsync(loading.Task, NodeOptions());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var before = await http.GetAsync("/cluster/node");
        var beforeBody = await before.Content.ReadAsStringAsync();
        loading.SetResult(engine);
        await server.Loaded;
        var after = JsonDocument.Parse(await http.GetStringAsync("/cluster/node")).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Contains("model_loading", beforeBody);
        Assert.Equal(Convert.ToHexStringLower(engine.CacheIdentity.Fingerprint), after.GetProperty("cache_fingerprint").GetString());
        Assert.Equal(engine.CacheIdentity.BlockSize, after.GetProperty("block_size").GetInt32());
        Assert.Equal("F16", after.GetProperty("kv_dtype").GetString());
    }

    [Fact]
    public async Task KvEvents_WhenTheNodeDrains_StreamEndsAndNodeIsRefused()
    {
        await using var server = await RunningServer.StartAsync(serverOptions: NodeOptions() with { DrainTimeout = TimeSpan.FromSeconds(30) });
        using var events = await server.Http.GetAsync("/cluster/kv-events", HttpCompletionOption.ResponseHeadersRead);
        using var stream = new StreamReader(await events.Content.ReadAsStreamAsync());
        // A request still running keeps the server draining (not stopped) while the node's routes are checked.
        using var gate = new ManualResetEventSlim();
        var stall = server.Engine.RunOnLoopAsync(() => gate.Wait(TimeSpan.FromSeconds(30)));
        var running = server.PostAsync("/v1/completions", Completion);
        await RunningServer.WaitUntilAsync(() => Task.FromResult(server.Server.State.RunningRequests == 1));
        using var stop = new CancellationTokenSource();
        var shutdown = server.Server.WaitForShutdownAsync(stop.Token);

        await stop.CancelAsync();
        // Without the drain ending it, the stream would run (heartbeats) until the server stops, after the request.
        await ReadToEndAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        using var node = await server.Http.GetAsync("/cluster/node");
        gate.Set();
        using var finished = await running;
        await shutdown.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, node.StatusCode);
        Assert.Contains("shutting_down", await node.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        await stall;
    }

    private static ServerOptions NodeOptions() => new() { Port = 0, LogLevel = LogLevel.Error, Node = new NodeIdentity { Events = new KvEventFeed() } };

    private static async Task ReadToEndAsync(StreamReader stream)
    {
        while (await stream.ReadLineAsync() is not null)
        {
        }
    }
}
