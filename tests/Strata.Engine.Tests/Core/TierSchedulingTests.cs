using Strata.Engine.Caching;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Engine.Tests.Core;

/// <summary>Scheduling by service tier on the model-free core: order, aging, preemption by tier, and round-robin between tenants.</summary>
public sealed class TierSchedulingTests
{
    [Fact]
    public void Schedule_TiersWaiting_AdmittedByTierThenArrival()
    {
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 1), blocks: 64, budget: 64);
        ServiceTier[] tiers = [ServiceTier.Flex, ServiceTier.Default, ServiceTier.Priority, ServiceTier.Default, ServiceTier.Priority];
        foreach (var (tier, i) in tiers.Select((t, i) => (t, i)))
            harness.Submit(Request(i, 2, tier));

        harness.RunUntilIdle();

        Assert.Equal([3L, 5, 2, 4, 1], StartOrder(harness));
    }

    [Fact]
    public void Schedule_FirstComeFirstServed_IgnoresTiers()
    {
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 1) with { ServiceLevels = new ServiceLevels { TierScheduling = false } }, blocks: 64, budget: 64);
        foreach (var (tier, i) in new[] { ServiceTier.Flex, ServiceTier.Priority }.Select((t, i) => (t, i)))
            harness.Submit(Request(i, 2, tier));

        harness.RunUntilIdle();

        Assert.Equal([1L, 2], StartOrder(harness));
    }

    [Fact]
    public void Schedule_HigherTiersKeepComing_LowerTierGoesAheadOfThoseArrivingMoreThanItsAgingBoundLater()
    {
        var aging = TimeSpan.FromMilliseconds(100);
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 1) with { ServiceLevels = new ServiceLevels { AgingStep = aging } }, blocks: 64, budget: 64);
        harness.Submit(Request(0, 4, ServiceTier.Flex));
        var goldArrivals = new Dictionary<long, long>();
        for (var i = 1; !StartOrder(harness).Contains(1); i++)
        {
            Assert.True(i < 2000, "the flex request starved");
            goldArrivals[i + 1] = harness.Clock.GetTimestamp();
            harness.Submit(Request(i, 4, ServiceTier.Priority)); // always more gold work waiting than one slot serves
            harness.Step();
        }

        // Flex ranks as if it had come two aging steps later, and ties go to the better tier: every gold request served
        // before it arrived less than three steps after it, and it waits for no later one.
        var servedBefore = StartOrder(harness).TakeWhile(id => id != 1).ToList();
        Assert.NotEmpty(servedBefore);
        Assert.All(servedBefore, id => Assert.True(TimeSpan.FromTicks(goldArrivals[id]) < 3 * aging, $"gold request {id} came {TimeSpan.FromTicks(goldArrivals[id]).TotalMilliseconds} ms after flex"));
        Assert.Contains(goldArrivals, pair => TimeSpan.FromTicks(pair.Value) >= 3 * aging && !servedBefore.Contains(pair.Key) && pair.Key != 1);
    }

    [Fact]
    public void Schedule_RequestAgedToThePriorityRank_PriorityRequestArrivingLaterStillGoesFirst()
    {
        var aging = TimeSpan.FromMilliseconds(100);
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 1) with { ServiceLevels = new ServiceLevels { AgingStep = aging } }, blocks: 64, budget: 64);
        harness.Submit(Request(0, 70, ServiceTier.Default)); // holds the only slot for about 170 ms
        harness.Step();
        harness.Submit(Request(1, 2, ServiceTier.Default));
        while (TimeSpan.FromTicks(harness.Clock.GetTimestamp()) < TimeSpan.FromMilliseconds(150))
            harness.Step();

        harness.Submit(Request(2, 2, ServiceTier.Priority)); // the default request waiting has aged to the priority rank
        harness.RunUntilIdle();

        Assert.Equal([1L, 3, 2], StartOrder(harness));
    }

    [Fact]
    public void Schedule_PriorityArrivesWhileFlexRuns_FlexPreemptedAndRecomputedWithTheSameOutput()
    {
        var flexPrompt = CoreHarness.Prompt(1, 10);
        var goldPrompt = CoreHarness.Prompt(2, 30);
        var harness = new CoreHarness(CoreHarness.Options(prefixCaching: false, maxSequences: 1), blocks: 16, budget: 64);
        var flex = harness.Submit(Request(flexPrompt, 20, ServiceTier.Flex));
        for (var i = 0; i < 5; i++)
            harness.Step();

        var gold = harness.Submit(Request(goldPrompt, 4, ServiceTier.Priority));
        harness.Step();

        Assert.Equal([new ChunkTrace(2, 0, 30, [], [])], harness.Recorder.Steps[^1].Chunks);
        Assert.Equal(1, harness.Core.Scheduler.RankPreemptions);
        harness.RunUntilIdle();
        Assert.Equal(ScriptedRunner.Continue(flexPrompt, 20), CoreHarness.Drain(flex).Tokens[0]);
        Assert.Equal(ScriptedRunner.Continue(goldPrompt, 4), CoreHarness.Drain(gold).Tokens[0]);
        var resumed = harness.Recorder.Steps.Skip(6).SelectMany(s => s.Chunks).First(c => c.Sequence == 1);
        Assert.Equal(0, resumed.Start); // no prefix cache and no host tier: recomputed from the start
    }

    [Fact]
    public void Schedule_TwoPriorityRequestsArriveWhileFlexHoldsTheOnlySlot_OnePreemptsTheOtherWaits()
    {
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 1), blocks: 64, budget: 64);
        var flex = harness.Submit(Request(0, 10, ServiceTier.Flex));
        harness.Step();

        var gold = new[] { harness.Submit(Request(1, 2, ServiceTier.Priority)), harness.Submit(Request(2, 2, ServiceTier.Priority)) };
        harness.RunUntilIdle();

        Assert.Equal([1L, 2, 3], StartOrder(harness));
        Assert.Equal(1, harness.Core.Scheduler.RankPreemptions);
        Assert.Equal(ScriptedRunner.Continue(CoreHarness.Prompt(0, 6), 10), CoreHarness.Drain(flex).Tokens[0]);
        Assert.All(gold, g => Assert.Equal(2, CoreHarness.Drain(g).Tokens[0].Length));
    }

    [Fact]
    public void Schedule_PreemptedByTierWithAHostTier_KvSavedThereAndRestoredWithoutRecompute()
    {
        var loads = new ManualTaskScheduler();
        var tier = new FakeTier("host", TierWrites.OnEviction);
        var flexPrompt = CoreHarness.Prompt(1, 10);
        var goldPrompt = CoreHarness.Prompt(2, 44);
        // 12 blocks of 4 tokens: flex holds 4 after 5 steps (3 full); gold's 46 positions need all 12, so flex's go down to the host tier.
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 12, budget: 64,
            tiers: identity => new KvTierList([tier], new FakeBlockMemory(4), new ManualClock(), loads, () => { }));
        var flex = harness.Submit(Request(flexPrompt, 20, ServiceTier.Flex));
        for (var i = 0; i < 5; i++)
            harness.Step();
        var flexSequence = harness.Core.Scheduler.Running.Single();
        var savedBlocks = flexSequence.ComputedCount / 4;

        var gold = harness.Submit(Request(goldPrompt, 2, ServiceTier.Priority));
        for (var i = 0; harness.Core.HasWork; i++)
        {
            Assert.True(i < 1000, "the core never finished");
            if (harness.Step() is null)
                loads.RunPending();
        }

        Assert.Equal(1, harness.Core.Scheduler.RankPreemptions);
        Assert.Equal(ScriptedRunner.Continue(goldPrompt, 2), CoreHarness.Drain(gold).Tokens[0]);
        Assert.Equal(ScriptedRunner.Continue(flexPrompt, 20), CoreHarness.Drain(flex).Tokens[0]);
        Assert.True(tier.Stored.Count >= savedBlocks, $"{tier.Stored.Count} blocks demoted, flex had {savedBlocks} full ones");
        var resumed = harness.Recorder.Steps.Skip(5).SelectMany(s => s.Chunks).First(c => c.Sequence == 1);
        Assert.Equal(savedBlocks * 4, resumed.Start); // its full blocks came back from the host tier; only the partial one is recomputed
        Assert.Equal(savedBlocks, harness.Core.Cache.Tiers!.Stats.Single().LoadedBlocks);
        harness.Core.Scheduler.CheckIntegrity();
    }

    [Fact]
    public void Schedule_TenantsInOneTier_ServedRoundRobin()
    {
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 1), blocks: 64, budget: 64);
        for (var i = 0; i < 6; i++)
            harness.Submit(Request(i, 1, ServiceTier.Default) with { Tenant = "noisy" });
        for (var i = 6; i < 8; i++)
            harness.Submit(Request(i, 1, ServiceTier.Default) with { Tenant = "quiet" });

        harness.RunUntilIdle();

        Assert.Equal([1L, 7, 2, 8, 3, 4, 5, 6], StartOrder(harness));
    }

    [Fact]
    public void Schedule_NoisyNeighbour_EveryTenantGetsItsFairShare()
    {
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 2), blocks: 256, budget: 64);
        var tenants = new Dictionary<long, string>();
        var rng = new Random(7);
        var nextSeed = 0;
        void Submit(string tenant)
        {
            harness.Submit(Request(nextSeed, 8, ServiceTier.Default) with { Tenant = tenant });
            tenants[++nextSeed] = tenant;
        }
        for (var i = 0; i < 60; i++)
            Submit("noisy");
        for (var step = 0; step < 300; step++)
        {
            // The quiet tenants each keep two requests in flight; the noisy one floods the queue.
            foreach (var quiet in new[] { "a", "b" })
            {
                if (harness.Core.Scheduler.Sequences.Count(s => s.Tenant == quiet) < 2)
                    Submit(quiet);
            }
            if (rng.Next(3) == 0)
                Submit("noisy");
            harness.Step();
        }

        var served = StartOrder(harness).Select(id => tenants[id]).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var fairShare = served.Values.Sum() / 3.0;
        Assert.All(served, pair => Assert.True(pair.Value >= 0.8 * fairShare, $"{pair.Key} started {pair.Value} requests, fair share {fairShare:0.0}"));
    }

    private static GenerationRequest Request(int seed, int maxTokens, ServiceTier tier) => Request(CoreHarness.Prompt(seed, 6), maxTokens, tier);

    private static GenerationRequest Request(int[] prompt, int maxTokens, ServiceTier tier) => CoreHarness.Greedy(prompt, maxTokens) with { Tier = tier };

    /// <summary>Sequence ids in the order their first chunk ran.</summary>
    private static List<long> StartOrder(CoreHarness harness) =>
        harness.Recorder.Steps.SelectMany(s => s.Chunks).Select(c => c.Sequence).Distinct().ToList();
}
