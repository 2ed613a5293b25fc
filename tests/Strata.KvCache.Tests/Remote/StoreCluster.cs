using System.Diagnostics;
using Strata.KvCache.Remote;

using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

/// <summary>A Redis Cluster of three primaries on loopback, created with redis-cli --cluster create.</summary>
internal sealed class StoreCluster : IDisposable
{
    private StoreCluster(StoreServer[] nodes) => Nodes = nodes;

    public IReadOnlyList<StoreServer> Nodes { get; }

    public static StoreCluster Start(int nodeCount = 3)
    {
        var cli = Path.Combine(Path.GetDirectoryName(StoreServer.RedisServerPath ?? "/usr/bin/redis-server")!, "redis-cli");
        if (!File.Exists(cli))
            throw new InvalidOperationException($"The Redis Cluster test needs redis-cli next to redis-server: {StoreServer.InstallHint}.");
        var nodes = new List<StoreServer>();
        try
        {
            for (var i = 0; i < nodeCount; i++)
                nodes.Add(StoreServer.StartClusterNode());
            var create = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
            create.ArgumentList.Add("--cluster");
            create.ArgumentList.Add("create");
            foreach (var node in nodes)
                create.ArgumentList.Add($"127.0.0.1:{node.Port}");
            foreach (var argument in new[] { "--cluster-replicas", "0", "--cluster-yes" })
                create.ArgumentList.Add(argument);
            using (var process = Process.Start(create)!)
            {
                var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                    throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
            }
            var cluster = new StoreCluster([.. nodes]);
            cluster.WaitUntilReady(TimeSpan.FromSeconds(20));
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
                node.Dispose();
            throw;
        }
    }

    public string SeedUrl => $"redis://127.0.0.1:{Nodes[0].Port}";

    public void Dispose()
    {
        foreach (var node in Nodes)
            node.Dispose();
    }

    private void WaitUntilReady(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!Nodes.All(IsReady))
        {
            if (watch.Elapsed > timeout)
                throw new InvalidOperationException("the Redis Cluster did not reach cluster_state:ok");
            Thread.Sleep(50);
        }
    }

    private bool IsReady(StoreServer node)
    {
        using var client = node.Connect();
        var info = client.Command("CLUSTER", "INFO").AsText() ?? "";
        var slots = client.Command("CLUSTER", "SLOTS").Items ?? [];
        return info.Contains("cluster_state:ok") && slots.Length == Nodes.Count;
    }
}
