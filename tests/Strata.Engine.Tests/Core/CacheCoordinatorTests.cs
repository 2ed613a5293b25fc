using Strata.Engine.Caching;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Tests.Core;

/// <summary>The KV path on the model-free core: prefix hits, loads from lower tiers that complete later, demotion and write-through.</summary>
public sealed class CacheCoordinatorTests
{
    private static readonly int[] Prompt = CoreHarness.Prompt(5, 10);

    [Fact]
    public void Admit_SamePromptAgain_AttachesTheCachedBlocksAndComputesOnlyTheRest()
    {
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64);
        var first = harness.Submit(CoreHarness.Greedy(Prompt, 3));
        harness.RunUntilIdle();

        var second = harness.Submit(CoreHarness.Greedy(Prompt, 3));
        harness.RunUntilIdle();

        var secondChunk = harness.Recorder.Steps.SelectMany(s => s.Chunks).First(c => c.Sequence == 2);
        Assert.Equal(new ChunkTrace(2, 8, 2, [], []), secondChunk); // two full blocks cached; the last token is always computed
        Assert.Equal((0, 8), (first.CachedTokens, second.CachedTokens));
        Assert.Equal(CoreHarness.Drain(first).Tokens[0], CoreHarness.Drain(second).Tokens[0]);
        var stats = harness.Core.Snapshot();
        Assert.Equal((20L, 8L), (stats.AdmittedPromptTokens, stats.CachedPromptTokens));
    }

    [Fact]
    public void Admit_PrefixInALowerTier_PassedOverUntilTheLoadCompletes()
    {
        var loads = new ManualTaskScheduler();
        var tier = new FakeTier("host", TierWrites.OnEviction);
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64,
            tiers: identity => new KvTierList([tier], new FakeBlockMemory(4), new ManualClock(), loads, () => { }));
        foreach (var block in Chain(harness.Identity, Prompt, blocks: 2))
            tier.Put(block, Payload(block.Key));
        var other = harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(9, 5), 2));
        var handle = harness.Submit(CoreHarness.Greedy(Prompt, 2));

        harness.Step();
        harness.Step();

        Assert.DoesNotContain(harness.Recorder.Steps.SelectMany(s => s.Chunks), c => c.Sequence == 2);
        Assert.Equal((1, 0), (loads.Pending, tier.Reads));

        loads.RunPending();
        harness.Step();

        var loaded = harness.Recorder.Steps[^1];
        Assert.Equal(new ChunkTrace(2, 8, 2, [], []), loaded.Chunks.Single(c => c.Sequence == 2));
        harness.RunUntilIdle();
        Assert.Equal(8, handle.CachedTokens);
        Assert.Equal(2, CoreHarness.Drain(other).Tokens[0].Length);
        Assert.Equal(1, harness.Core.Snapshot().Prefetches);
        Assert.Equal(2, harness.Core.Cache.Tiers!.Stats.Single().LoadedBlocks);
    }

    [Fact]
    public void Admit_LoadedBlocks_CopiedIntoTheWorkingPoolBeforeTheForwardPass()
    {
        var loads = new ManualTaskScheduler();
        var tier = new FakeTier("host", TierWrites.OnEviction);
        var plans = new List<(int Block, byte[] Payload)>();
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64,
            runner: _ => new PlanSpy(plans, new ScriptedRunner(new ManualClock())),
            tiers: identity => new KvTierList([tier], new FakeBlockMemory(4), new ManualClock(), loads, () => { }));
        var chain = Chain(harness.Identity, Prompt, blocks: 2);
        foreach (var block in chain)
            tier.Put(block, Payload(block.Key));
        harness.Submit(CoreHarness.Greedy(Prompt, 2));

        harness.Step();
        loads.RunPending();
        harness.Step();

        Assert.Equal(chain.Select(b => Payload(b.Key)), plans.Select(p => p.Payload));
        Assert.Equal(2, plans.Select(p => p.Block).Distinct().Count());
    }

    [Fact]
    public void Evict_CachedBlocks_DemotedWithTheirBytesWhileStillIntact()
    {
        var tier = new FakeTier("host", TierWrites.OnEviction);
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 4, budget: 64,
            tiers: identity => new KvTierList([tier], new FakeBlockMemory(4), new ManualClock(), TaskScheduler.Default, () => { }));
        harness.Submit(CoreHarness.Greedy(Prompt, 1));
        harness.RunUntilIdle();
        var cachedKeys = Chain(harness.Identity, Prompt, blocks: 2).Select(b => b.Key).ToList();

        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(8, 15), 1)); // needs all four blocks
        harness.RunUntilIdle();

        Assert.Equal(cachedKeys.AsEnumerable().Reverse(), tier.Stored.Select(s => s.Block.Key)); // leaves first
        Assert.Equal(2, tier.Stored.Select(s => FakeBlockMemory.BlockOf(s.Payload)).Distinct().Count());
        Assert.Equal(2, harness.Core.Snapshot().CacheEvictions);
    }

    [Fact]
    public void Register_FullBlocks_WrittenThroughOnceWithTheirTimeToLive()
    {
        var tier = new FakeTier("disk", TierWrites.WriteThrough);
        var clock = new ManualClock();
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64,
            tiers: identity => new KvTierList([tier], new FakeBlockMemory(4), clock, TaskScheduler.Default, () => { }));

        harness.Submit(CoreHarness.Greedy(Prompt, 7) with { CacheTtl = TimeSpan.FromHours(2) });
        harness.RunUntilIdle();

        // 10 prompt + 7 generated tokens: positions 0-15 make four full blocks (the last token never has K/V).
        var expected = Chain(harness.Identity, [.. Prompt, .. ScriptedRunner.Continue(Prompt, 7)], blocks: 4);
        Assert.Equal(expected.Select(b => b.Key), tier.Stored.Select(s => s.Block.Key));
        Assert.All(tier.Stored, s => Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(2), s.Expires));
    }

    [Fact]
    public void KvEvents_BlocksStoredDemotedAndWrittenThrough_EachReportedWithItsTier()
    {
        var events = new List<KvEvent>();
        var host = new FakeTier("host", TierWrites.OnEviction);
        var disk = new FakeTier("disk", TierWrites.WriteThrough);
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 4, budget: 64, kvEvents: events.Add,
            tiers: identity => new KvTierList([host, disk], new FakeBlockMemory(4), new ManualClock(), TaskScheduler.Default, () => { }, events.Add));
        harness.Submit(CoreHarness.Greedy(Prompt, 1));
        harness.RunUntilIdle();
        var first = Chain(harness.Identity, Prompt, blocks: 2).Select(b => b.Key).ToList();

        Assert.Equal(first.SelectMany(key => new[] { Stored(key, KvEvent.Pool), Stored(key, "disk") }), events);

        events.Clear();
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(8, 15), 1)); // takes all four blocks
        harness.RunUntilIdle();

        var evictions = events.TakeWhile(e => !(e.Kind == KvEventKind.Stored && e.Tier == KvEvent.Pool)).ToList();
        Assert.Equal([new(KvEventKind.Removed, first[1], KvEvent.Pool), new(KvEventKind.Removed, first[0], KvEvent.Pool), Stored(first[1], "host"), Stored(first[0], "host")], evictions);
    }

    [Fact]
    public async Task Load_Chain_EachBlockFromTheFirstTierThatHasItAndBackToTheTopAfterAnyProgress()
    {
        var loads = new ManualTaskScheduler();
        var upper = new FakeTier("host", TierWrites.OnEviction);
        var lower = new FakeTier("disk", TierWrites.WriteThrough);
        var identity = new CacheIdentity(new byte[32], KvDataType.F16, 4);
        var tokens = CoreHarness.Prompt(2, 20);
        var chain = Chain(identity, tokens, blocks: 5);
        foreach (var i in new[] { 0, 1, 3 })
            upper.Put(chain[i], Payload(chain[i].Key));
        foreach (var i in new[] { 1, 2, 4 })
            lower.Put(chain[i], [.. Payload(chain[i].Key).Select(b => (byte)~b)]);
        var tiers = new KvTierList([upper, lower], new FakeBlockMemory(4), new ManualClock(), loads, () => { });

        var fetch = tiers.Fetch(chain.Select(b => b.Key).ToList(), identity.Root("", ""), tokens, 0, 5, 4);
        loads.RunPending();
        var loaded = await fetch.Loads;

        Assert.Equal(["host", "host", "disk", "host", "disk"], loaded.Select(b => b.Tier));
        Assert.Equal(chain.Select(b => b.Key), loaded.Select(b => b.Block.Key));
        Assert.Equal(Payload(chain[3].Key), loaded[3].Payload);
    }

    /// <summary>The cached blocks a prompt's first full blocks make, as the engine keys them (tenant and salt empty).</summary>
    private static List<CachedBlock> Chain(CacheIdentity identity, int[] tokens, int blocks)
    {
        var keys = identity.Keys("", "", tokens);
        return Enumerable.Range(0, blocks)
            .Select(i => new CachedBlock(keys[i], i == 0 ? identity.Root("", "") : keys[i - 1], tokens[(4 * i)..(4 * i + 4)]))
            .ToList();
    }

    private static KvEvent Stored(BlockKey key, string tier) => new(KvEventKind.Stored, key, tier);

    private static byte[] Payload(BlockKey key)
    {
        var payload = new byte[new FakeBlockMemory(4).Layout.BlockBytes];
        new Random((int)key.Low).NextBytes(payload);
        return payload;
    }
}
