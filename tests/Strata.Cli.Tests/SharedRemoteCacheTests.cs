using Strata.TestSupport.Stores;

namespace Strata.Cli.Tests;

/// <summary>Two <c>strata serve</c> processes with their own disk tiers sharing one Redis-protocol store.</summary>
public sealed class SharedRemoteCacheTests : IDisposable
{
    private const int BlockSize = 16;
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day she saw a big red ball under a tree and ran to get it, but her dog got there first and they played all day.";
    private readonly List<string> _directories = [];

    [Fact]
    public async Task Serve_PrefixComputedByOtherNode_ServedFromRemoteTierWithUncachedOutput()
    {
        using var store = StoreServer.Start();
        using var plain = await ServeProcess.StartAsync(Common(remote: null, disk: false));
        var uncached = await plain.CompleteAsync(Story, 24);

        using var first = await ServeProcess.StartAsync(Common(store.Url));
        using var second = await ServeProcess.StartAsync(Common(store.Url));
        var computed = await first.CompleteAsync(Story, 24);
        await WaitForPublishes(first);
        var fromRemote = await second.CompleteAsync(Story, 24);

        Assert.Equal(0, computed.CachedTokens);
        Assert.True(fromRemote.CachedTokens >= 3 * BlockSize, $"only {fromRemote.CachedTokens} cached tokens");
        Assert.Equal(0, fromRemote.CachedTokens % BlockSize);
        Assert.Equal(fromRemote.CachedTokens / BlockSize, await second.MetricAsync("strata_kv_tier_loaded_blocks_total{tier=\"remote\"}"));
        Assert.Equal(uncached.Text, computed.Text);
        Assert.Equal(uncached.Text, fromRemote.Text);
    }

    [Fact]
    public async Task Serve_StoreKilledAndRestarted_EveryRequestSucceedsAndHitsResume()
    {
        using var store = StoreServer.Start();
        using var first = await ServeProcess.StartAsync(Common(store.Url));
        using var second = await ServeProcess.StartAsync(Common(store.Url));
        await first.CompleteAsync(Story, 4);

        store.Kill();
        for (var i = 0; i < 4; i++)
        {
            var (text, _) = await second.CompleteAsync($"{i}. Tom and Sue went to the shop to buy some bread and milk for mom.", 8);
            Assert.NotEmpty(text);
        }
        Assert.Equal(1, await second.MetricAsync("strata_kv_remote_breaker_open"));

        store.Restart();
        // The breakers probe the store again after their backoff; until then both nodes serve from local compute.
        var resumed = false;
        for (var attempt = 0; attempt < 40 && !resumed; attempt++)
        {
            var prompt = $"{attempt}. {Story}";
            var published = await first.MetricAsync(RemoteWrittenBytes);
            Assert.NotEmpty((await first.CompleteAsync(prompt, 1)).Text);
            await WaitUntilAsync(async () => await first.MetricAsync(RemoteWrittenBytes) > published || await first.MetricAsync("strata_kv_remote_breaker_open") == 1);
            var answer = await second.CompleteAsync(prompt, 1);
            resumed = answer.CachedTokens >= 3 * BlockSize;
            if (!resumed)
                await Task.Delay(500);
        }

        Assert.True(resumed, "remote hits did not resume after the store came back");
    }

    [Fact]
    public async Task Serve_CorruptedValuesInStore_NeverUsed()
    {
        using var store = StoreServer.Start();
        using var first = await ServeProcess.StartAsync(Common(store.Url));
        var computed = await first.CompleteAsync(Story, 24);
        await WaitForPublishes(first);
        using (var client = store.Connect())
        {
            foreach (var key in client.Keys())
            {
                var value = client.Get(key)!;
                value[^100] ^= 0x40; // one bit of the payload: the checksum no longer matches
                client.Set(key, value);
            }
        }

        using var second = await ServeProcess.StartAsync(Common(store.Url));
        var answer = await second.CompleteAsync(Story, 24);

        Assert.Equal(0, answer.CachedTokens);
        Assert.Equal(computed.Text, answer.Text);
        Assert.True(await second.MetricAsync("strata_kv_remote_rejected_total") > 0);
    }

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
            Directory.Delete(directory, recursive: true);
    }

    private string[] Common(string? remote, bool disk = true)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"strata-node-{Guid.NewGuid():N}");
        _directories.Add(directory);
        string[] options = ["--kv-cache-memory", "16MiB", "--threads", "1", "--block-size", $"{BlockSize}"];
        if (disk)
            options = [.. options, "--disk-cache-dir", directory];
        // A patient deadline: the 50 ms default is for a store beside a quiet node, and these nodes share a busy test machine.
        return remote is null ? options : [.. options, "--remote-cache", remote, "--remote-cache-timeout", "2s"];
    }

    private const string RemoteWrittenBytes = "strata_kv_tier_written_bytes_total{tier=\"remote\"}";

    /// <summary>Waits until the node has published blocks (publishing is asynchronous).</summary>
    private static Task WaitForPublishes(ServeProcess node) =>
        WaitUntilAsync(async () => await node.MetricAsync(RemoteWrittenBytes) > 0);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
                return;
            await Task.Delay(100);
        }
        Assert.Fail("condition not reached within 10 s");
    }
}
