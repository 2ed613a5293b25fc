using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Cli.Tests.Cluster;

/// <summary>
/// Prefill and decode nodes (child processes on free loopback ports, TinyStories) behind a router that sends every
/// prompt to a prefill node (threshold 0), and a colocated node beside them for reference outputs; disposing kills every
/// process by its id.
/// </summary>
internal sealed class DisaggregatedCluster : IDisposable
{
    private DisaggregatedCluster(ServeProcess prefill, ServeProcess decode, ServeProcess router, ServeProcess single)
    {
        Prefill = prefill;
        Decode = decode;
        Router = router;
        Single = single;
    }

    public ServeProcess Prefill { get; }

    public ServeProcess Decode { get; }

    public ServeProcess Router { get; }

    /// <summary>A colocated node outside the cluster: what one node answers.</summary>
    public ServeProcess Single { get; }

    public static async Task<DisaggregatedCluster> StartAsync(string leaseTtl = "2s")
    {
        var processes = new List<ServeProcess>();
        try
        {
            processes.Add(await Node("--role", "prefill", "--lease-ttl", leaseTtl));
            processes.Add(await Node("--role", "decode"));
            processes.Add(await Node());
            processes.Add(await ServeProcess.StartRouterAsync("-m", LocalCluster.Model, "--disagg-threshold", "0",
                "--node", processes[0].Address.ToString(), "--node", processes[1].Address.ToString()));
            var cluster = new DisaggregatedCluster(processes[0], processes[1], processes[3], processes[2]);
            await LocalCluster.WaitForReachableAsync(cluster.Router, 2);
            return cluster;
        }
        catch
        {
            foreach (var process in processes)
                process.Dispose();
            throw;
        }
    }

    public static Task<ServeProcess> Node(params string[] args) =>
        ServeProcess.StartAsync(["-m", LocalCluster.Model, "--threads", "1", "--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", .. args]);

    /// <summary>A node's <c>/cluster/node</c> answer.</summary>
    public static async Task<JsonElement> NodeInfoAsync(ServeProcess node) =>
        JsonDocument.Parse(await node.Http.GetStringAsync("/cluster/node")).RootElement.Clone();

    public void Dispose()
    {
        Router.Dispose();
        Prefill.Dispose();
        Decode.Dispose();
        Single.Dispose();
    }
}
