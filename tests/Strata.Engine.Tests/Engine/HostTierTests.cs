using Strata.Engine.Requests;
using Strata.KvCache;

namespace Strata.Engine.Tests.Engine;

public sealed class HostTierTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const int BlockSize = 16;
    private const long BlockBytes = 16 * 5 * 2 * 4 * 8 * 2; // tokens × layers × (K, V) × KV heads × head dim × F16 bytes
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends and her big brown dog.";

    private InferenceEngine Start(bool int8 = false, bool hostTier = true, KvDataType kvType = KvDataType.F16)
    {
        var elementScale = kvType == KvDataType.F32 ? 2 : 1;
        return fixture.Start(new EngineOptions
        {
            KvCacheBytes = 12 * BlockBytes * elementScale,
            KvDataType = kvType,
            BlockSize = BlockSize,
            Threads = 2,
            MaxBatchedTokens = 256,
            HostCacheBytes = hostTier ? 64 * BlockBytes * elementScale : 0,
            HostCacheInt8 = int8,
        });
    }

    /// <summary>Runs enough unrelated prompts to push every earlier block out of the 12-block working pool.</summary>
    private async Task Evict(InferenceEngine engine)
    {
        var random = new Random(11);
        for (var i = 0; i < 3; i++)
        {
            var filler = Enumerable.Range(0, 120).Select(_ => random.Next(3, 500)).Prepend(1).ToArray();
            await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(filler, 2)));
        }
    }

    private static GenerationRequest WithLogprobs(GenerationRequest request) => request with { Logprobs = true, TopLogprobs = 10 };

    [Theory]
    [InlineData(KvDataType.F16)]
    [InlineData(KvDataType.F32)]
    public async Task Submit_PrefixEvictedToHost_LoadedBackAndOutputUnchanged(KvDataType kvType)
    {
        var prompt = fixture.Tokens(Story);
        using var engine = Start(kvType: kvType);
        var first = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 24)));
        await Evict(engine);

        var again = engine.Submit(EngineFixture.Greedy(prompt, 24));
        var second = await Completion.CollectAsync(again);

        Assert.Equal((prompt.Length - 1) / BlockSize * BlockSize, again.CachedTokens);
        Assert.Equal(first.Tokens[0], second.Tokens[0]);
        Assert.True(engine.Stats.Tier("host")!.Hits >= again.CachedTokens / BlockSize);
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_WithoutHostTier_EvictedPrefixIsRecomputed()
    {
        var prompt = fixture.Tokens(Story);
        using var engine = Start(hostTier: false);
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 4)));
        await Evict(engine);

        var again = engine.Submit(EngineFixture.Greedy(prompt, 4));
        await Completion.CollectAsync(again);

        Assert.Equal(0, again.CachedTokens);
    }

    [Fact]
    public async Task Submit_Int8HostTier_LogprobsWithinTolerance()
    {
        var prompt = fixture.Tokens(Story);
        using var exact = Start(hostTier: false);
        var reference = await Collect(exact.Submit(WithLogprobs(EngineFixture.Greedy(prompt, 1))));

        using var engine = Start(int8: true);
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 1)));
        await Evict(engine);
        var handle = engine.Submit(WithLogprobs(EngineFixture.Greedy(prompt, 1)));
        var fromInt8 = await Collect(handle);

        Assert.True(handle.CachedTokens > 0);
        Assert.Equal(reference.Select(t => t.TokenId), fromInt8.Select(t => t.TokenId));
        var maxError = reference.Zip(fromInt8, (a, b) => Math.Abs(a.Logprob - b.Logprob)).Max();
        Assert.True(maxError < 5e-2, $"int8 host tier moved a logprob by {maxError}");
        Assert.True(maxError > 0, "int8 should not be bit-exact; the test would not see a broken codec otherwise");
    }

    private static async Task<IReadOnlyList<TokenLogprob>> Collect(GenerationHandle handle)
    {
        IReadOnlyList<TokenLogprob> top = [];
        await foreach (var e in handle.Events.ReadAllAsync())
        {
            if (e is TokenEvent { TopLogprobs.Count: > 0 } token && top.Count == 0)
                top = token.TopLogprobs;
        }
        return top;
    }
}
