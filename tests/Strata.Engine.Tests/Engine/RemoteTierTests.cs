using Strata.TestSupport.Stores;

namespace Strata.Engine.Tests.Engine;

/// <summary>Two engines sharing one Redis-protocol store: a prefix computed by one is served to the other.</summary>
public sealed class RemoteTierTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const int BlockSize = 16;
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends and her big brown dog.";

    private InferenceEngine Start(string? url) => fixture.Start(new EngineOptions
    {
        KvCacheBytes = 8L << 20,
        BlockSize = BlockSize,
        Threads = 2,
        MaxBatchedTokens = 256,
        RemoteCacheUrl = url,
    });

    [Fact]
    public async Task Submit_PrefixComputedByOtherEngine_ServedFromRemoteWithUnchangedOutput()
    {
        using var store = StoreServer.Start();
        var prompt = fixture.Tokens(Story);
        Completion uncached;
        using (var plain = Start(url: null))
            uncached = await Completion.CollectAsync(plain.Submit(EngineFixture.Greedy(prompt, 24)));

        using var first = Start(store.Url);
        await Completion.CollectAsync(first.Submit(EngineFixture.Greedy(prompt, 24)));
        await WaitUntil(() => first.Stats.Tier("remote")!.Detail("published_total") >= prompt.Length / BlockSize);
        using var second = Start(store.Url);
        var handle = second.Submit(EngineFixture.Greedy(prompt, 24));
        var completion = await Completion.CollectAsync(handle);

        Assert.Equal((prompt.Length - 1) / BlockSize * BlockSize, handle.CachedTokens);
        Assert.Equal(handle.CachedTokens / BlockSize, second.Stats.Tier("remote")!.LoadedBlocks);
        Assert.Equal(uncached.Tokens[0], completion.Tokens[0]);
        await second.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_StoreDown_EveryRequestSucceedsFromLocalCompute()
    {
        using var store = StoreServer.Start();
        var url = store.Url;
        store.Kill();
        using var engine = Start(url);
        var prompt = fixture.Tokens(Story);

        var results = new List<Completion>();
        for (var i = 0; i < 4; i++)
            results.Add(await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt.Append(300 + i).ToArray(), 8))));

        Assert.All(results, r => Assert.Equal(8, r.Tokens[0].Length));
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_StoreUnreachable_TheOutageIsLoggedThroughILogger()
    {
        var log = new Core.ListLogger();
        using var engine = InferenceEngine.Start(fixture.Model, new EngineOptions
        {
            KvCacheBytes = 8L << 20, BlockSize = BlockSize, Threads = 2, MaxBatchedTokens = 256, RemoteCacheUrl = $"redis://127.0.0.1:{UnusedPort()}",
        }, log);

        for (var i = 0; i < 4 && log.Entries.Count == 0; i++)
            await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens($"{i} {Story}"), 2)));

        var outage = Assert.Single(log.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, outage.Level);
        Assert.Contains("unreachable", outage.Message);
    }

    private static int UnusedPort()
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
            await Task.Delay(10);
        Assert.True(condition());
    }
}
