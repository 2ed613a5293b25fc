using Strata.Models;
using Strata.KvCache;
using Strata.TestSupport;
using Strata.TestSupport.Stores;

namespace Strata.Engine.Tests.Engine;

/// <summary>
/// A quantized KV cache through every prefix-cache tier: blocks are stored and moved as they are (fewer bytes than
/// F16), and a prefix served from the host tier, the disk or the remote store gives the same output as computing it.
/// The quant-reference tiny model, whose heads of 64 can be quantized in blocks of 32.
/// </summary>
public sealed class QuantizedKvTierTests : IDisposable
{
    private const int BlockSize = 16;
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends and her big brown dog.";

    private readonly LoadedModel _model = LoadedModel.Load(SharedData.Model("quant-reference/synth-tiny-q8_0.gguf"));
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"strata-qkv-tier-{Guid.NewGuid():N}");

    private long BlockBytes(KvDataType type) => _model.Model.KvLayout(BlockSize, type).BlockBytes;

    private InferenceEngine Start(KvDataType type, long hostBytes = 0, bool disk = false, string? remote = null, bool int8 = false) =>
        InferenceEngine.Start(_model, new EngineOptions
        {
            KvCacheBytes = 12 * BlockBytes(type),
            KvDataType = type,
            BlockSize = BlockSize,
            Threads = 2,
            MaxBatchedTokens = 256,
            HostCacheBytes = hostBytes,
            HostCacheInt8 = int8,
            DiskCacheDirectory = disk ? _directory : null,
            RemoteCacheUrl = remote,
        });

    private int[] Prompt => _model.Tokenizer.Encode(Story, addSpecial: true, parseSpecial: true);

    [Theory]
    [InlineData(KvDataType.Q8_0)]
    [InlineData(KvDataType.Q4_0)]
    public async Task HostTier_QuantizedBlocksStoredAsTheyAre_OutputUnchanged(KvDataType type)
    {
        var expected = await Uncached(type);
        using var engine = Start(type, hostBytes: 64 * BlockBytes(type));
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(Prompt, 24)));
        await Evict(engine);

        var again = engine.Submit(EngineFixture.Greedy(Prompt, 24));
        var completion = await Completion.CollectAsync(again);

        Assert.Equal((Prompt.Length - 1) / BlockSize * BlockSize, again.CachedTokens);
        Assert.Equal(expected, completion.Tokens[0]);
        var stats = engine.Stats.Tier("host")!;
        Assert.True(stats.Hits >= again.CachedTokens / BlockSize);
        Assert.Equal(stats.Blocks * BlockBytes(type), stats.Bytes);
        Assert.True(BlockBytes(type) * 32 <= BlockBytes(KvDataType.F16) * 17, $"a {type} block is {BlockBytes(type)} bytes, F16 {BlockBytes(KvDataType.F16)}");
        await engine.CheckIntegrityAsync();
    }

    [Theory]
    [InlineData(KvDataType.Q8_0)]
    [InlineData(KvDataType.Q4_0)]
    public async Task DiskTier_AfterRestart_QuantizedPrefixServedWithUnchangedOutput(KvDataType type)
    {
        var expected = await Uncached(type);
        using (var first = Start(type, disk: true))
        {
            await Completion.CollectAsync(first.Submit(EngineFixture.Greedy(Prompt, 24)));
            await first.FlushCacheAsync();
            var disk = first.Stats.Tier("disk")!;
            Assert.True(disk.Blocks > 0 && disk.BytesWritten < disk.Blocks * (BlockBytes(type) + 4096), $"{disk.BytesWritten} bytes for {disk.Blocks} blocks");
        }

        using var restarted = Start(type, disk: true);
        var handle = restarted.Submit(EngineFixture.Greedy(Prompt, 24));
        var completion = await Completion.CollectAsync(handle);

        Assert.Equal((Prompt.Length - 1) / BlockSize * BlockSize, handle.CachedTokens);
        Assert.Equal(expected, completion.Tokens[0]);
        await restarted.CheckIntegrityAsync();
    }

    [Fact]
    public async Task RemoteTier_QuantizedPrefixFromOtherEngine_OutputUnchanged()
    {
        using var store = StoreServer.Start();
        var expected = await Uncached(KvDataType.Q8_0);
        using var first = Start(KvDataType.Q8_0, remote: store.Url);
        await Completion.CollectAsync(first.Submit(EngineFixture.Greedy(Prompt, 24)));
        for (var i = 0; i < 300 && first.Stats.Tier("remote")!.Detail("published_total") < Prompt.Length / BlockSize; i++)
            await Task.Delay(10);

        using var second = Start(KvDataType.Q8_0, remote: store.Url);
        var handle = second.Submit(EngineFixture.Greedy(Prompt, 24));
        var completion = await Completion.CollectAsync(handle);

        Assert.Equal((Prompt.Length - 1) / BlockSize * BlockSize, handle.CachedTokens);
        Assert.Equal(handle.CachedTokens / BlockSize, second.Stats.Tier("remote")!.LoadedBlocks);
        Assert.Equal(expected, completion.Tokens[0]);
    }

    [Fact]
    public void Start_Int8HostTierWithQuantizedCache_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Start(KvDataType.Q8_0, hostBytes: 1 << 20, int8: true));
        Assert.Contains("int8", error.Message);
    }

    public void Dispose()
    {
        _model.Dispose();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private async Task<int[]> Uncached(KvDataType type)
    {
        using var engine = InferenceEngine.Start(_model, new EngineOptions { KvCacheBytes = 64 * BlockBytes(type), KvDataType = type, BlockSize = BlockSize, Threads = 2, PrefixCaching = false });
        return (await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(Prompt, 24)))).Tokens[0];
    }

    /// <summary>Runs unrelated prompts until every earlier block has left the 12-block working pool.</summary>
    private static async Task Evict(InferenceEngine engine)
    {
        var random = new Random(11);
        for (var i = 0; i < 3; i++)
        {
            var filler = Enumerable.Range(0, 120).Select(_ => random.Next(3, 500)).Prepend(1).ToArray();
            await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(filler, 2)));
        }
    }
}
