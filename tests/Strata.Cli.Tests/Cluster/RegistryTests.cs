using Strata.KvCache.Remote;
using Strata.Server.Cluster;
using Strata.TestSupport.Stores;

namespace Strata.Cli.Tests.Cluster;

/// <summary>
/// Nodes that register in a real redis-server (<c>strata serve --register</c>) and routers that find them there
/// (<c>strata router --registry</c>, no <c>--node</c>): joins, a node killed with SIGKILL, a node stopped, a router restarted.
/// </summary>
public sealed class RegistryTests(RegistryTests.RegisteredNodes fixture) : IClassFixture<RegistryTests.RegisteredNodes>
{
    private const string Prompt = "Once upon a time there was a little dog named Max. He liked to run in the park.";

    [Fact]
    public async Task Router_WithOnlyARegistry_RoutesToTheRegisteredNodes_AndFindsThemAgainAfterARestart()
    {
        var request = new { prompt = Prompt, max_tokens = 12, temperature = 0 };
        var direct = await RouterTests.TextAsync(fixture.Nodes[0].Http, "/v1/completions", request, stream: false);

        for (var start = 0; start < 2; start++)
        {
            // A router killed outright keeps nothing: the next one learns every node from the registry alone.
            using var router = await ServeProcess.StartRouterAsync("-m", LocalCluster.Model, "--registry", fixture.Store.Url);
            await LocalCluster.WaitForReachableAsync(router, fixture.Nodes.Count);

            Assert.Equal(direct, await RouterTests.TextAsync(router.Http, "/v1/completions", request, stream: false));
            Assert.Equal(fixture.Nodes.Select(n => n.Address.ToString()).Order(),
                (await LocalCluster.RouterNodesAsync(router)).Select(n => n.GetProperty("url").GetString()).Order());
            router.Kill();
        }
    }

    [Fact]
    public async Task NodeKilled_LeavesTheRegistryAndTheRouterAfterItsTtl()
    {
        using var router = await ServeProcess.StartRouterAsync("-m", LocalCluster.Model, "--registry", fixture.Store.Url);
        using var victim = await RegisteredNodes.NodeAsync(fixture.Store, ttl: "2s");
        await LocalCluster.WaitForReachableAsync(router, fixture.Nodes.Count + 1);
        Assert.Contains(victim.Address.ToString(), fixture.Records().Keys);

        victim.Kill();

        // Its record expires one TTL after the last heartbeat (a third of it before the kill at most), and the router reads the
        // registry every second.
        await WaitUntilAsync(async () => (await LocalCluster.RouterNodesAsync(router)).Count == fixture.Nodes.Count, TimeSpan.FromSeconds(8));
        Assert.DoesNotContain(victim.Address.ToString(), fixture.Records().Keys);
        Assert.DoesNotContain(victim.Address.ToString(), (await LocalCluster.RouterNodesAsync(router)).Select(n => n.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task NodeStopped_DeletesItsRecordAtOnce()
    {
        using var node = await RegisteredNodes.NodeAsync(fixture.Store, ttl: "60s");
        await WaitUntilAsync(() => Task.FromResult(fixture.Records().ContainsKey(node.Address.ToString())), TimeSpan.FromSeconds(5));
        var record = System.Text.Json.JsonDocument.Parse(fixture.Records()[node.Address.ToString()]).RootElement;
        Assert.Equal("both", record.GetProperty("role").GetString());

        Assert.True(node.Terminate(TimeSpan.FromSeconds(20)));

        // Deleted by the drain, long before its 60 s TTL.
        Assert.DoesNotContain(node.Address.ToString(), fixture.Records().Keys);
    }

    [Fact]
    public void Serve_RegisterWithAMalformedUrl_FailsWithAClearError()
    {
        var result = CliProcess.Run("serve", "-m", LocalCluster.Model, "--port", "0", "--register", "http://127.0.0.1:6379");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error: remote store URL", result.Stderr);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    public sealed class RegisteredNodes : IAsyncLifetime
    {
        private RemoteRecords _records = null!;

        internal StoreServer Store { get; private set; } = null!;

        internal List<ServeProcess> Nodes { get; } = [];

        public IReadOnlyDictionary<string, string> Records() => _records.ReadAll();

        public async Task InitializeAsync()
        {
            Store = StoreServer.Start();
            _records = new RemoteRecords(RemoteStoreOptions.Parse(Store.Url) with { OperationTimeout = TimeSpan.FromSeconds(1) }, NodeRegistration.KeyPrefix);
            foreach (var node in await Task.WhenAll(NodeAsync(Store, "10s"), NodeAsync(Store, "10s")))
                Nodes.Add(node);
        }

        internal static Task<ServeProcess> NodeAsync(StoreServer store, string ttl) => ServeProcess.StartAsync(
            "-m", LocalCluster.Model, "--threads", "1", "--kv-cache-memory", "16MiB", "--register", store.Url, "--register-ttl", ttl);

        public Task DisposeAsync()
        {
            foreach (var node in Nodes)
                node.Dispose();
            _records.Dispose();
            Store.Dispose();
            return Task.CompletedTask;
        }
    }
}
