namespace Strata.Cli.Tests;

/// <summary>A <c>strata serve</c> with a disk tier, stopped (gracefully, or with kill -9) and started again on the same directory.</summary>
public sealed class DiskCacheRestartTests : IDisposable
{
    private const int BlockSize = 16;
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day she saw a big red ball under a tree and ran to get it, but her dog got there first and they played all day.";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"strata-restart-{Guid.NewGuid():N}");

    private string[] Options => ["--kv-cache-memory", "16MiB", "--threads", "1", "--block-size", $"{BlockSize}", "--disk-cache-dir", _directory];

    [Fact]
    public async Task Serve_RestartAfterSigterm_PrefixServedFromDiskWithSameOutput()
    {
        (string Text, int CachedTokens) first;
        using (var server = await ServeProcess.StartAsync(Options))
        {
            first = await server.CompleteAsync(Story, 16);
            Assert.True(server.Terminate(TimeSpan.FromSeconds(30)), "strata serve did not stop on SIGTERM");
        }

        using var restarted = await ServeProcess.StartAsync(Options);
        var second = await restarted.CompleteAsync(Story, 16);

        Assert.True(second.CachedTokens >= 3 * BlockSize, $"{second.CachedTokens} cached tokens after a graceful restart");
        Assert.Equal(first.Text, second.Text);
        Assert.True(await restarted.MetricAsync("strata_kv_tier_loaded_blocks_total{tier=\"disk\"}") >= second.CachedTokens / BlockSize);
    }

    [Fact]
    public async Task Serve_RestartAfterKill9_WrittenBlocksStillHit()
    {
        (string Text, int CachedTokens) first;
        using (var server = await ServeProcess.StartAsync(Options))
        {
            first = await server.CompleteAsync(Story, 16);
            for (var i = 0; i < 100 && await server.MetricAsync("strata_kv_tier_blocks{tier=\"disk\"}") < 3; i++)
                await Task.Delay(50);
            server.Kill();
        }

        using var restarted = await ServeProcess.StartAsync(Options);
        var second = await restarted.CompleteAsync(Story, 16);

        Assert.True(second.CachedTokens >= 3 * BlockSize, $"{second.CachedTokens} cached tokens after kill -9");
        Assert.Equal(first.Text, second.Text);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
