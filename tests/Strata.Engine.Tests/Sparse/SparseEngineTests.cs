using Strata.Engine.Tests.Engine;
using Strata.Models;
using Strata.KvCache;

namespace Strata.Engine.Tests.Sparse;

/// <summary>Everything above the model works unchanged with sparse models: batching, the prefix cache and its tiers with latent blocks.</summary>
public sealed class SparseEngineTests(SparseModelFixture fixture) : IClassFixture<SparseModelFixture>, IDisposable
{
    private const int BlockSize = 16;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"strata-sparse-disk-{Guid.NewGuid():N}");

    private static int[] Prompt(int seed, int length) =>
        Enumerable.Range(0, length).Select(i => 3 + (i * 37 + seed * 101) % 500).Prepend(1).ToArray();

    private InferenceEngine Start(LoadedModel model, int workingBlocks, bool prefixCaching = true, bool hostTier = false, bool diskTier = false)
    {
        var blockBytes = model.Model.KvLayout(BlockSize, KvDataType.F16).BlockBytes;
        return InferenceEngine.Start(model, new EngineOptions
        {
            KvCacheBytes = workingBlocks * blockBytes,
            BlockSize = BlockSize,
            Threads = 2,
            MaxBatchedTokens = 256,
            PrefixCaching = prefixCaching,
            HostCacheBytes = hostTier ? 64 * blockBytes : 0,
            DiskCacheDirectory = diskTier ? _directory : null,
            DiskCacheBytes = 64L << 20,
        });
    }

    [Fact]
    public async Task Submit_LatentPrefixFromHostTier_OutputUnchanged()
    {
        var model = fixture.DeepSeek;
        var prompt = Prompt(1, 70);
        using var engine = Start(model, workingBlocks: 12, hostTier: true);
        var first = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 16)));
        for (var i = 0; i < 3; i++)
            await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(Prompt(10 + i, 120), 2)));

        var again = engine.Submit(EngineFixture.Greedy(prompt, 16));
        var second = await Completion.CollectAsync(again);

        Assert.Equal((prompt.Length - 1) / BlockSize * BlockSize, again.CachedTokens);
        Assert.True(engine.Stats.Tier("host")!.Hits >= again.CachedTokens / BlockSize);
        Assert.Equal(first.Tokens[0], second.Tokens[0]);
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_LatentPrefixFromDiskAfterRestart_OutputUnchanged()
    {
        var model = fixture.DeepSeek;
        var prompt = Prompt(2, 50);
        Completion uncached;
        using (var plain = Start(model, workingBlocks: 32, prefixCaching: false))
            uncached = await Completion.CollectAsync(plain.Submit(EngineFixture.Greedy(prompt, 16)));
        using (var first = Start(model, workingBlocks: 32, diskTier: true))
            await Completion.CollectAsync(first.Submit(EngineFixture.Greedy(prompt, 16)));

        using var restarted = Start(model, workingBlocks: 32, diskTier: true);
        var handle = restarted.Submit(EngineFixture.Greedy(prompt, 16));
        var completion = await Completion.CollectAsync(handle);

        Assert.Equal((prompt.Length - 1) / BlockSize * BlockSize, handle.CachedTokens);
        Assert.Equal(uncached.Tokens[0], completion.Tokens[0]);
        await restarted.CheckIntegrityAsync();
    }

    [Theory]
    [InlineData("deepseek2")]
    [InlineData("mixtral")]
    public async Task Submit_ConcurrentRequests_EachEqualsItsRunAlone(string architecture)
    {
        var model = architecture == "mixtral" ? fixture.Mixtral : fixture.DeepSeek;
        var prompts = Enumerable.Range(0, 6).Select(i => Prompt(20 + i, 8 + 9 * i)).ToArray();
        var alone = new List<int[]>();
        foreach (var prompt in prompts)
        {
            using var single = Start(model, workingBlocks: 64, prefixCaching: false);
            alone.Add((await Completion.CollectAsync(single.Submit(EngineFixture.Greedy(prompt, 12)))).Tokens[0]);
        }

        using var engine = Start(model, workingBlocks: 64, prefixCaching: false);
        var handles = prompts.Select(p => engine.Submit(EngineFixture.Greedy(p, 12))).ToArray();
        var together = await Task.WhenAll(handles.Select(h => Completion.CollectAsync(h)));

        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(alone[i], together[i].Tokens[0]);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
