namespace Strata.Engine.Tests.Engine;

public sealed class DiskTierTests(EngineFixture fixture) : IClassFixture<EngineFixture>, IDisposable
{
    private const int BlockSize = 16;
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends and her big brown dog.";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"strata-disk-tier-{Guid.NewGuid():N}");

    private InferenceEngine Start(bool prefixCaching = true) => fixture.Start(new EngineOptions
    {
        KvCacheBytes = 8L << 20,
        BlockSize = BlockSize,
        Threads = 2,
        MaxBatchedTokens = 256,
        PrefixCaching = prefixCaching,
        DiskCacheDirectory = prefixCaching ? _directory : null,
        DiskCacheBytes = 64L << 20,
    });

    [Fact]
    public async Task Submit_AfterRestart_PrefixServedFromDiskWithUnchangedOutput()
    {
        var prompt = fixture.Tokens(Story);
        Completion uncached;
        using (var plain = Start(prefixCaching: false))
            uncached = await Completion.CollectAsync(plain.Submit(EngineFixture.Greedy(prompt, 24)));
        using (var first = Start())
            await Completion.CollectAsync(first.Submit(EngineFixture.Greedy(prompt, 24)));

        using var restarted = Start();
        var handle = restarted.Submit(EngineFixture.Greedy(prompt, 24));
        var completion = await Completion.CollectAsync(handle);

        Assert.Equal((prompt.Length - 1) / BlockSize * BlockSize, handle.CachedTokens);
        Assert.Equal(uncached.Tokens[0], completion.Tokens[0]);
        Assert.True(restarted.Stats.Tier("disk")!.Hits >= handle.CachedTokens / BlockSize);
        await restarted.CheckIntegrityAsync();
    }

    [Fact]
    public async Task FlushCache_BlocksOfEarlierRequestsBecomeDurable()
    {
        using var engine = Start();
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(fixture.Tokens(Story), 40)));

        await engine.FlushCacheAsync();

        Assert.True(engine.Stats.Tier("disk")!.Blocks >= 3);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
