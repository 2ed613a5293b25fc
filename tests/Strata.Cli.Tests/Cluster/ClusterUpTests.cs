using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Strata.KvCache.Remote;
using Strata.Server.Cluster;

namespace Strata.Cli.Tests.Cluster;

/// <summary>
/// <c>strata cluster up --redis</c> as a process: it starts a redis-server of its own, nodes that register there and a
/// router that finds them only through it — colocated, or two prefill and two decode nodes handing KV blocks over —
/// whose greedy output, streamed and not, is one node's; and SIGTERM stops every one of them.
/// </summary>
public sealed partial class ClusterUpTests
{
    private const string Prompt = "Once upon a time there was a little dog named Max. He liked to run in the park.";

    [Theory]
    [InlineData("--both 2", "both both")]
    [InlineData("--prefill 2 --decode 2 --disagg-threshold 0", "prefill prefill decode decode")]
    public async Task ClusterUp_WithRedis_WiresNodesAndRouterThroughItsOwnRegistry_AndSigtermStopsEveryProcess(string topology, string roles)
    {
        var port = FreePort();
        using var single = await ServeProcess.StartAsync(["-m", LocalCluster.Model, "--threads", "1", "--kv-cache-memory", "16MiB"]);
        using var cluster = Process.Start(CliProcess.StartInfo(
            ["cluster", "up", "-m", LocalCluster.Model, .. topology.Split(' '), "--redis", "--port", $"{port}", "--kv-cache-memory", "16MiB"]))!;
        // Its children write their logs to the stderr they inherit: drained, so no one blocks on a full pipe.
        cluster.ErrorDataReceived += (_, _) => { };
        cluster.BeginErrorReadLine();
        try
        {
            // "redis   redis://127.0.0.1:P  pid N", a line per node, then the router's.
            var started = new List<(string Role, string Url, int Pid)>();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (started.Count < roles.Split(' ').Length + 2 && await cluster.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    var match = StartedLine().Match(line);
                    Assert.True(match.Success, $"unexpected line: {line}");
                    started.Add((match.Groups[1].Value, match.Groups[2].Value, int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)));
                }
            }
            Assert.Equal(["redis", .. roles.Split(' '), "router"], started.Select(s => s.Role));
            var nodeUrls = started.Where(s => s.Role is not ("redis" or "router")).Select(s => s.Url + "/").Order().ToList();

            using var router = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) };
            // The router was given no --node: it reaches the nodes because they registered in cluster up's redis-server.
            await WaitUntilReachableAsync(router, nodeUrls);
            using (var records = RemoteRecords.Open(started[0].Url, NodeRegistration.KeyPrefix))
                Assert.Equal(nodeUrls, records.ReadAll().Keys.Order());
            foreach (var stream in new[] { false, true })
            {
                var request = new { prompt = $"{stream}: {Prompt}", max_tokens = 12, temperature = 0, stream };
                Assert.Equal(await RouterTests.TextAsync(single.Http, "/v1/completions", request, stream),
                    await RouterTests.TextAsync(router, "/v1/completions", request, stream));
            }

            Process.Start("kill", ["-TERM", cluster.Id.ToString(CultureInfo.InvariantCulture)]).WaitForExit();

            Assert.True(cluster.WaitForExit(TimeSpan.FromSeconds(60)), "cluster up did not stop on SIGTERM");
            Assert.Equal(0, cluster.ExitCode);
            Assert.All(started, s => Assert.False(Directory.Exists($"/proc/{s.Pid}"), $"{s.Role} (pid {s.Pid}) outlived cluster up"));
        }
        finally
        {
            if (!cluster.HasExited)
                cluster.Kill(entireProcessTree: true);
        }
    }

    private static async Task WaitUntilReachableAsync(HttpClient router, List<string> nodeUrls)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var response = await router.GetAsync("/health");
                var nodes = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("nodes").EnumerateArray()
                    .Where(n => n.GetProperty("reachable").GetBoolean()).Select(n => n.GetProperty("url").GetString()!).Order().ToList();
                if (nodes.SequenceEqual(nodeUrls))
                    return;
            }
            catch (HttpRequestException)
            {
                // The router is not listening yet.
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the router did not reach the registered nodes");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^(\w+)\s+(\S+)\s+pid (\d+)$")]
    private static partial Regex StartedLine();
}
