using Strata.Simulation.Routing;

namespace Strata.Simulation.Tests;

public sealed class ClusterSimulationTests
{
    private static SimulationResult Simulate(StepProfile profile, IEnumerable<SimRequest> requests, int nodes = 1, RouterPolicy router = RouterPolicy.RoundRobin) =>
        new ClusterSimulation(profile, new ClusterSettings(nodes, router, NodeSettings.From(profile))).Run(requests);

    [Fact]
    public void OneRequest_TimesFollowTheCostLawStepByStep()
    {
        // 40-token prompt in 16-token steps: prefill 16 + 16 + 8 (26 + 26 + 18 ms), then 3 decodes of 12 ms each.
        var result = Simulate(Profiles.Of(Profiles.Round, budget: 16), [new SimRequest(0.5, Profiles.Prompt(1, 40), 4)]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Null(outcome.Error);
        Assert.Equal(4, outcome.OutputTokens);
        Assert.Equal(0.070, outcome.TtftSeconds, 9);
        Assert.Equal(0.106, outcome.EndToEndSeconds, 9);
        Assert.Equal([12f, 12f, 12f], outcome.InterTokenMs);
        Assert.Equal(0.106, result.DurationSeconds, 9);
        Assert.Equal(6, result.Steps);
    }

    [Fact]
    public void ServerOverhead_DelaysAdmissionPerRequest_AndLengthensStepsPerStreamedToken()
    {
        // As above, with 50 ms before the engine sees the request and 3 ms per streamed token: TTFT 50 + 70 ms, decodes 15 ms.
        var profile = Profiles.Of(Profiles.Round, budget: 16) with { ServerOverhead = new ServerOverhead(0.050, 0.003) };
        var result = Simulate(profile, [new SimRequest(0.5, Profiles.Prompt(1, 40), 4)]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(0.120, outcome.TtftSeconds, 9);
        Assert.Equal([15f, 15f, 15f], outcome.InterTokenMs);
        Assert.Equal(0.165, outcome.EndToEndSeconds, 9);
    }

    [Fact]
    public void ServerOverhead_LengthensEveryStepByItsTimePerStep()
    {
        // As above, and 2 ms per step: three prefill steps of 28, 28 and 20 ms, then decodes of 17 ms.
        var profile = Profiles.Of(Profiles.Round, budget: 16) with { ServerOverhead = new ServerOverhead(0.050, 0.003, 0.002) };
        var result = Simulate(profile, [new SimRequest(0.5, Profiles.Prompt(1, 40), 4)]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(0.126, outcome.TtftSeconds, 9);
        Assert.Equal([17f, 17f, 17f], outcome.InterTokenMs);
        Assert.Equal(0.177, outcome.EndToEndSeconds, 9);
    }

    [Fact]
    public void ServerOverhead_ChargesEveryPromptTokenOnTheStepThatAdmitsIt()
    {
        // As above, with 1 ms per admitted prompt token: the first prefill step takes 26 + 40 ms, the rest as before.
        var profile = Profiles.Of(Profiles.Round, budget: 16) with { ServerOverhead = new ServerOverhead(0, 0, 0, 0.001) };
        var result = Simulate(profile, [new SimRequest(0.5, Profiles.Prompt(1, 40), 4)]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(0.110, outcome.TtftSeconds, 9);
        Assert.Equal([12f, 12f, 12f], outcome.InterTokenMs);
    }

    [Fact]
    public void ServerOverhead_ChargesAPrefixHitForItsCachedTokensToo_AndDelaysTheStepsDecodes()
    {
        // B finds A's 64-token prefix cached and computes its 8 new tokens in one step with A's decodes, but the server
        // reads and keys all 72 of its prompt tokens: that step is 72 ms longer for B's first token and A's next one.
        var prefix = Profiles.Prompt(7, 64);
        SimRequest[] requests = [new(0, [.. prefix, .. Profiles.Prompt(1, 8)], 40), new(0.5, [.. prefix, .. Profiles.Prompt(2, 8)], 2)];
        var plain = Simulate(Profiles.Of(Profiles.Round, budget: 256), requests);
        var charged = Simulate(Profiles.Of(Profiles.Round, budget: 256) with { ServerOverhead = new ServerOverhead(0, 0, 0, 0.001) }, requests);

        Assert.Equal(64, charged.Outcomes[1].CachedTokens);
        // A's own admission (72 tokens) moved it 72 ms; B's admission step delays it another 72 ms from then on.
        Assert.Equal(plain.Outcomes[0].TtftSeconds + 0.072, charged.Outcomes[0].TtftSeconds, 9);
        Assert.Equal(plain.Outcomes[0].EndToEndSeconds + 0.144, charged.Outcomes[0].EndToEndSeconds, 9);
        Assert.Equal(plain.Outcomes[1].TtftSeconds + 0.072, charged.Outcomes[1].TtftSeconds, 9);
    }

    [Fact]
    public void LoneRows_LengthenTheStepsWhoseRowsAreNotWholeTilesOfFour()
    {
        // A 42-token prompt in 16-token steps: 16 + 16 + 10 rows, the last two of them run alone (5 ms each): 26 + 26 +
        // 30 ms; each decode is one row run alone: 12 + 5 ms.
        var profile = Profiles.Of(Profiles.Round with { LoneRowSeconds = 0.005 }, budget: 16);
        var result = Simulate(profile, [new SimRequest(0.5, Profiles.Prompt(1, 42), 4)]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(0.082, outcome.TtftSeconds, 9);
        Assert.Equal([17f, 17f, 17f], outcome.InterTokenMs);
    }

    [Fact]
    public void ArrivalDuringAStep_WaitsForTheNextStep_AndThenBatchesWithTheRunningDecode()
    {
        // A: 16-token prompt at 0 → prefill step [0, 26 ms]. B arrives at 5 ms, while the step runs: its prefill joins
        // A's first decode in the next step [26, 26 + 10 + 16 + 2 = 54 ms].
        var result = Simulate(Profiles.Of(Profiles.Round), [new SimRequest(0, Profiles.Prompt(1, 16), 2), new SimRequest(0.005, Profiles.Prompt(2, 16), 2)]);

        var a = result.Outcomes[0];
        var b = result.Outcomes[1];
        Assert.Equal(0.026, a.TtftSeconds, 9);
        Assert.Equal(0.054, a.EndToEndSeconds, 9);
        Assert.Equal(0.054 - 0.005, b.TtftSeconds, 9);
        // B's decode runs alone after A finished: 12 ms.
        Assert.Equal(0.066 - 0.005, b.EndToEndSeconds, 9);
    }

    [Fact]
    public void SharedPrefix_SecondRequestIsServedFromTheRealPrefixCache()
    {
        var prefix = Profiles.Prompt(7, 64);
        var first = new SimRequest(0, [.. prefix, .. Profiles.Prompt(1, 8)], 2);
        var second = new SimRequest(1, [.. prefix, .. Profiles.Prompt(2, 8)], 2);

        var cached = Simulate(Profiles.Of(Profiles.Round, budget: 256), [first, second]);

        Assert.Equal(64, cached.Outcomes[1].CachedTokens);
        // Only the 8 question tokens are computed: 10 + 8 ms instead of 10 + 72 ms.
        Assert.Equal(0.018, cached.Outcomes[1].TtftSeconds, 9);
        Assert.Equal(64.0 / 144, cached.CacheHitRate, 9);
    }

    [Fact]
    public void SmallKvPool_PreemptsAndStillFinishesEveryRequest()
    {
        // 12 blocks of 16 tokens: three 48-token prompts growing to 80 tokens cannot all stay resident.
        var profile = Profiles.Of(Profiles.Round, kvBlocks: 12, context: 192);
        var requests = Enumerable.Range(0, 3).Select(i => new SimRequest(0, Profiles.Prompt(i, 48), 32)).ToArray();

        var result = Simulate(profile, requests);

        Assert.All(result.Outcomes, o => Assert.Equal(32, o.OutputTokens));
        Assert.True(result.Preemptions > 0, "the pool is too small for all three at once");
    }

    [Fact]
    public void PromptLongerThanTheContext_FailsAlone()
    {
        var profile = Profiles.Of(Profiles.Round, context: 64);

        var result = Simulate(profile, [new SimRequest(0, Profiles.Prompt(1, 64), 4), new SimRequest(0, Profiles.Prompt(2, 16), 4)]);

        Assert.Contains("context", result.Outcomes[0].Error);
        Assert.Null(result.Outcomes[1].Error);
    }

    [Fact]
    public void ArrivalsOutOfOrder_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Simulate(Profiles.Of(Profiles.Round),
            [new SimRequest(1, Profiles.Prompt(1, 16), 1), new SimRequest(0, Profiles.Prompt(2, 16), 1)]));
        Assert.Contains("time order", error.Message);
    }

    [Fact]
    public void WorkloadFailingWhileRead_ItsOwnErrorComesOutOfRun()
    {
        // The workload is read on another thread, ahead of the simulation: a trace's bad line must still surface as itself.
        static IEnumerable<SimRequest> Failing()
        {
            yield return new SimRequest(0, Profiles.Prompt(1, 40), 2);
            throw new FormatException("line 2 is not a request");
        }

        var error = Assert.Throws<FormatException>(() => Simulate(Profiles.Of(Profiles.Round), Failing()));
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void LongWorkload_ReadAheadWithBlockKeys_SameResultsAsKeysDerivedByTheEngine()
    {
        // More requests than are read ahead, sharing prefixes: the keys derived on the reading thread must be the engine's.
        var requests = Enumerable.Range(0, 6000).Select(i => new SimRequest(i * 0.002, Profiles.Prompt(i % 7, 20 + i % 50), 1 + i % 5)).ToArray();
        var profile = Profiles.Of(Profiles.Round);
        var node = NodeSettings.From(profile);

        var prepared = new ClusterSimulation(profile, new ClusterSettings(2, RouterPolicy.RoundRobin, node)).Run(requests);
        var derived = new ClusterSimulation(profile, new ClusterSettings(2, RouterPolicy.RoundRobin, node, PrepareKeys: false)).Run(requests);

        Assert.True(prepared.CacheHitRate > 0.3, $"hit rate {prepared.CacheHitRate:P0}");
        Assert.Equal(derived.Outcomes.Select(o => (o.Node, o.CachedTokens, o.TtftSeconds, o.EndToEndSeconds)), prepared.Outcomes.Select(o => (o.Node, o.CachedTokens, o.TtftSeconds, o.EndToEndSeconds)));
    }

    [Fact]
    public void SameWorkload_SameResults()
    {
        var requests = Enumerable.Range(0, 200).Select(i => new SimRequest(i * 0.01, Profiles.Prompt(i % 13, 20 + i % 50), 1 + i % 17)).ToArray();

        var a = Simulate(Profiles.Of(Profiles.Round), requests, nodes: 3, router: RouterPolicy.KvAware);
        var b = Simulate(Profiles.Of(Profiles.Round), requests, nodes: 3, router: RouterPolicy.KvAware);

        Assert.Equal(a.Outcomes.Select(o => (o.Node, o.TtftSeconds, o.EndToEndSeconds)), b.Outcomes.Select(o => (o.Node, o.TtftSeconds, o.EndToEndSeconds)));
    }

    [Fact]
    public void RoundRobin_SpreadsRequestsOverTheNodesInTurn()
    {
        var requests = Enumerable.Range(0, 9).Select(i => new SimRequest(i, Profiles.Prompt(i, 16), 1)).ToArray();

        var result = Simulate(Profiles.Of(Profiles.Round), requests, nodes: 3);

        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2], result.Outcomes.Select(o => o.Node));
    }

    [Fact]
    public void KvAwareRouting_KeepsEachPrefixOnOneNode_AndHitsMoreThanRoundRobin()
    {
        // Five system prompts over four nodes: round-robin sends each group to every node in turn.
        var prefixes = Enumerable.Range(0, 5).Select(g => Profiles.Prompt(100 + g, 256)).ToArray();
        var requests = Enumerable.Range(0, 100)
            .Select(i => new SimRequest(i * 0.5, [.. prefixes[i % 5], .. Profiles.Prompt(i, 16)], 4))
            .ToArray();
        // Each node's pool holds three prefixes of 16 blocks: round-robin cycles five through each node and keeps missing.
        var profile = Profiles.Of(Profiles.Round, budget: 512, kvBlocks: 64);

        var roundRobin = Simulate(profile, requests, nodes: 4);
        var kvAware = Simulate(profile, requests, nodes: 4, router: RouterPolicy.KvAware);

        Assert.True(kvAware.CacheHitRate > roundRobin.CacheHitRate + 0.1, $"kv-aware {kvAware.CacheHitRate:P1}, round-robin {roundRobin.CacheHitRate:P1}");
        foreach (var group in kvAware.Outcomes.Select((o, i) => (o.Node, Group: i % 5)).Skip(5).GroupBy(x => x.Group))
            Assert.Single(group.Select(x => x.Node).Distinct());
        Assert.True(kvAware.Outcomes.Average(o => o.TtftSeconds) < roundRobin.Outcomes.Average(o => o.TtftSeconds));
    }

    [Fact]
    public void KvAwareRouting_WithoutSharedPrefixes_BalancesQueuedWork()
    {
        // Everything arrives at once with distinct prompts: the queued prompt tokens spread the requests evenly.
        var requests = Enumerable.Range(0, 40).Select(i => new SimRequest(0, Profiles.Prompt(i, 64), 2)).ToArray();

        var result = Simulate(Profiles.Of(Profiles.Round), requests, nodes: 4, router: RouterPolicy.KvAware);

        Assert.All(result.Outcomes.GroupBy(o => o.Node), g => Assert.Equal(10, g.Count()));
    }
}
