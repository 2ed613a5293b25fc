using Strata.Engine.Requests;

namespace Strata.Engine.Tests.Engine;

public sealed class PrefixCacheTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private const int BlockSize = 16;
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends and her dog.";

    private InferenceEngine Start(bool prefixCaching = true, long kvBytes = 16L << 20) =>
        fixture.Start(new EngineOptions { KvCacheBytes = kvBytes, BlockSize = BlockSize, Threads = 2, MaxBatchedTokens = 256, PrefixCaching = prefixCaching });

    private static int FullBlocksBefore(int[] prompt) => (prompt.Length - 1) / BlockSize * BlockSize;

    [Fact]
    public async Task Submit_SamePromptTwice_SecondReusesFullBlocksAndMatchesUncached()
    {
        var prompt = fixture.Tokens(Story);
        using var uncachedEngine = Start(prefixCaching: false);
        var uncached = await Completion.CollectAsync(uncachedEngine.Submit(EngineFixture.Greedy(prompt, 32)));
        using var engine = Start();

        var first = engine.Submit(EngineFixture.Greedy(prompt, 32));
        var firstCompletion = await Completion.CollectAsync(first);
        var second = engine.Submit(EngineFixture.Greedy(prompt, 32));
        var secondCompletion = await Completion.CollectAsync(second);

        Assert.Equal(0, first.CachedTokens);
        Assert.Equal(FullBlocksBefore(prompt), second.CachedTokens);
        Assert.Equal(uncached.Tokens[0], firstCompletion.Tokens[0]);
        Assert.Equal(uncached.Tokens[0], secondCompletion.Tokens[0]);
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_PromptExactlyWholeBlocks_LastTokenStillComputed()
    {
        var prompt = fixture.Tokens(Story)[..(2 * BlockSize)];
        using var engine = Start();
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 4)));

        var again = engine.Submit(EngineFixture.Greedy(prompt, 4));
        await Completion.CollectAsync(again);

        Assert.Equal(BlockSize, again.CachedTokens);
    }

    [Fact]
    public async Task Submit_DivergingMidBlock_ReusesOnlyWholeSharedBlocks()
    {
        var prompt = fixture.Tokens(Story);
        var fork = prompt[..(BlockSize + 5)].Concat(fixture.Tokens(" The cat sat on the mat and looked at the sun.")[1..]).ToArray();
        using var engine = Start();
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 4)));

        var diverged = engine.Submit(EngineFixture.Greedy(fork, 4));
        await Completion.CollectAsync(diverged);

        Assert.Equal(BlockSize, diverged.CachedTokens);
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_GeneratedTokensOfEarlierTurn_AreCachedToo()
    {
        var prompt = fixture.Tokens("Once upon a time");
        using var engine = Start();
        var turn = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 48)));
        var followUp = prompt.Concat(turn.Tokens[0]).Concat(fixture.Tokens(" Then")[1..]).ToArray();

        var next = engine.Submit(EngineFixture.Greedy(followUp, 4));
        await Completion.CollectAsync(next);

        Assert.Equal(FullBlocksBefore(prompt.Concat(turn.Tokens[0]).ToArray()), next.CachedTokens);
    }

    [Fact]
    public async Task Submit_DifferentSalts_NeverShareBlocks()
    {
        var prompt = fixture.Tokens(Story);
        using var engine = Start();
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 4) with { CacheSalt = "tenant-a" }));

        var other = engine.Submit(EngineFixture.Greedy(prompt, 4) with { CacheSalt = "tenant-b" });
        await Completion.CollectAsync(other);
        var same = engine.Submit(EngineFixture.Greedy(prompt, 4) with { CacheSalt = "tenant-a" });
        await Completion.CollectAsync(same);

        Assert.Equal(0, other.CachedTokens);
        Assert.Equal(FullBlocksBefore(prompt), same.CachedTokens);
    }

    [Fact]
    public async Task Submit_PrefixCachingOff_ReportsNothingCached()
    {
        var prompt = fixture.Tokens(Story);
        using var engine = Start(prefixCaching: false);
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 4)));

        var again = engine.Submit(EngineFixture.Greedy(prompt, 4));
        await Completion.CollectAsync(again);

        Assert.Equal(0, again.CachedTokens);
    }

    [Fact]
    public async Task Submit_IdenticalPromptsConcurrently_ShareBlocksAndStayCorrect()
    {
        var prompt = fixture.Tokens(Story);
        using var engine = Start();
        var alone = await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(prompt, 24)));

        var handles = Enumerable.Range(0, 8).Select(_ => engine.Submit(EngineFixture.Greedy(prompt, 24))).ToArray();
        var results = await Task.WhenAll(handles.Select(h => Completion.CollectAsync(h)));

        Assert.All(results, r => Assert.Equal(alone.Tokens[0], r.Tokens[0]));
        Assert.All(handles, h => Assert.Equal(FullBlocksBefore(prompt), h.CachedTokens));
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_SharedPrefixConcurrently_ComputedOnceOthersWaitForIt()
    {
        var prefix = fixture.Tokens(Story);
        var prompts = Enumerable.Range(0, 6).Select(i => prefix.Append(300 + i).Append(301 + i).ToArray()).ToArray();
        using var engine = fixture.Start(new EngineOptions { KvCacheBytes = 16L << 20, BlockSize = BlockSize, Threads = 2, MaxBatchedTokens = 512 });

        var handles = prompts.Select(p => engine.Submit(EngineFixture.Greedy(p, 4))).ToArray();
        await Task.WhenAll(handles.Select(h => Completion.CollectAsync(h)));

        var shared = (prefix.Length + 1) / BlockSize * BlockSize;
        Assert.Equal(0, handles[0].CachedTokens);
        Assert.All(handles[1..], h => Assert.Equal(shared, h.CachedTokens));
        Assert.True(engine.Stats.PromptTokensComputed < prefix.Length + 6 * BlockSize,
            $"{engine.Stats.PromptTokensComputed} prompt tokens computed for a {prefix.Length}-token shared prefix");
        await engine.CheckIntegrityAsync();
    }

    [Fact]
    public async Task Submit_Pinned_SurvivesPressureThatEvictsUnpinned()
    {
        var pinned = fixture.Tokens(Story);
        var unpinned = fixture.Tokens("Tom had a big red truck. He liked to drive it around the house and make loud noises all day long.");
        using var engine = Start(kvBytes: 160L * 1024);
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(pinned, 2) with { Pin = true }));
        await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(unpinned, 2)));

        var random = new Random(3);
        for (var i = 0; i < 6; i++)
        {
            var filler = Enumerable.Range(0, 60).Select(_ => random.Next(3, 500)).Prepend(1).ToArray();
            await Completion.CollectAsync(engine.Submit(EngineFixture.Greedy(filler, 2)));
        }
        var pinnedAgain = engine.Submit(EngineFixture.Greedy(pinned, 2));
        var unpinnedAgain = engine.Submit(EngineFixture.Greedy(unpinned, 2));
        await Completion.CollectAsync(pinnedAgain);
        await Completion.CollectAsync(unpinnedAgain);

        Assert.Equal(FullBlocksBefore(pinned), pinnedAgain.CachedTokens);
        Assert.Equal(0, unpinnedAgain.CachedTokens);
        await engine.CheckIntegrityAsync();
    }
}
