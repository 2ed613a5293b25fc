using System.Text;
using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Cli.Tests.Cluster;

/// <summary>
/// A router in front of <c>strata serve</c> nodes, each a child process on a free loopback port, on the TinyStories
/// model; disposing kills every process by its id.
/// </summary>
internal sealed class LocalCluster : IDisposable
{
    private LocalCluster(List<ServeProcess> nodes, ServeProcess router)
    {
        Nodes = nodes;
        Router = router;
    }

    public List<ServeProcess> Nodes { get; }

    public ServeProcess Router { get; }

    public static string Model => SharedData.Model("tinyllamas-stories-260k-f32.gguf");

    public static async Task<LocalCluster> StartAsync(int nodeCount, string policy = "kv-aware")
    {
        var nodes = new List<ServeProcess>();
        try
        {
            var starting = Enumerable.Range(0, nodeCount).Select(_ => ServeProcess.StartAsync(
                "-m", Model, "--threads", "1", "--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64")).ToList();
            foreach (var node in starting)
                nodes.Add(await node);
            var args = new List<string> { "-m", Model, "--policy", policy };
            foreach (var node in nodes)
                args.AddRange(["--node", node.Http.BaseAddress!.ToString()]);
            var router = await ServeProcess.StartRouterAsync([.. args]);
            var cluster = new LocalCluster(nodes, router);
            await WaitForReachableAsync(cluster.Router, nodeCount);
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
                node.Dispose();
            throw;
        }
    }

    /// <summary>The router's view of its nodes (<c>/health</c>).</summary>
    public Task<List<JsonElement>> RouterNodesAsync() => RouterNodesAsync(Router);

    /// <summary>The nodes as a router's /health lists them (it answers 503 while it reaches none, with the same body).</summary>
    public static async Task<List<JsonElement>> RouterNodesAsync(ServeProcess router)
    {
        using var response = await router.Http.GetAsync("/health");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return [.. json.GetProperty("nodes").EnumerateArray()];
    }

    /// <summary>The node the router has a request in flight on, once it has one.</summary>
    public async Task<ServeProcess> BusyNodeAsync()
    {
        for (var i = 0; i < 500; i++)
        {
            foreach (var node in await RouterNodesAsync())
                if (node.GetProperty("active_requests").GetInt32() > 0)
                    return Nodes.Single(n => n.Http.BaseAddress!.ToString() == node.GetProperty("url").GetString());
            await Task.Delay(10);
        }
        throw new TimeoutException("the router sent the request to no node");
    }

    public static StringContent Body(object request) => new(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json");

    public void Dispose()
    {
        Router.Dispose();
        foreach (var node in Nodes)
            node.Dispose();
    }

    /// <summary>Waits until the router reaches <paramref name="count"/> nodes.</summary>
    public static async Task WaitForReachableAsync(ServeProcess router, int count)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await RouterNodesAsync(router)).Count(n => n.GetProperty("reachable").GetBoolean()) == count)
                return;
            await Task.Delay(50);
        }
        throw new TimeoutException("the router did not reach its nodes");
    }
}
