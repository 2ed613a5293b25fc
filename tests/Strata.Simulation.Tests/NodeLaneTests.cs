using Strata.Engine;
using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Simulation.Routing;

namespace Strata.Simulation.Tests;

/// <summary>
/// Nodes advanced on several threads (lanes, between windows of arrivals) must change nothing but the speed: every
/// request's times, gaps, node, cache hits and refusal, and the totals, equal those of one thread — over several windows,
/// with arrivals interrupting decode runs, shared prefixes evicting each other, and the control plane refusing requests.
/// </summary>
public sealed class NodeLaneTests
{
    private static readonly CostModel Growing = new(0.010, 0.001, 0.002, 0.000_003, 0);

    private static SimulationResult Simulate(StepProfile profile, NodeSettings node, IReadOnlyList<SimRequest> requests, int nodes, int workers) =>
        new ClusterSimulation(profile, new ClusterSettings(nodes, RouterPolicy.RoundRobin, node, Workers: workers)).Run(requests);

    private static void AssertSame(SimulationResult one, SimulationResult lanes)
    {
        Assert.Equal(one.Outcomes.Count, lanes.Outcomes.Count);
        for (var i = 0; i < one.Outcomes.Count; i++)
        {
            var (a, b) = (lanes.Outcomes[i], one.Outcomes[i]);
            Assert.Equal(b with { InterTokenMs = [] }, a with { InterTokenMs = [] });
            Assert.Equal(b.InterTokenMs, a.InterTokenMs);
        }
        Assert.Equal(one.DurationSeconds, lanes.DurationSeconds);
        Assert.Equal((one.Steps, one.RunSteps), (lanes.Steps, lanes.RunSteps));
        Assert.Equal((one.AdmittedPromptTokens, one.CachedPromptTokens, one.Preemptions), (lanes.AdmittedPromptTokens, lanes.CachedPromptTokens, lanes.Preemptions));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SharedPrefixesOverManyWindows_SameAsOneThread(int workers)
    {
        // 3,000 requests (three windows of routing) over 7 nodes of 48 blocks: prefixes hit, evict and interrupt runs.
        var prefixes = Enumerable.Range(0, 5).Select(g => Profiles.Prompt(700 + g, 64)).ToArray();
        var random = new Random(4);
        var time = 0.0;
        var requests = new SimRequest[3000];
        for (var i = 0; i < requests.Length; i++)
        {
            time += -Math.Log(1 - random.NextDouble()) / 40;
            requests[i] = new SimRequest(time, [.. prefixes[random.Next(prefixes.Length)], .. Profiles.Prompt(random.Next(), 1 + random.Next(40))], 1 + random.Next(50));
        }
        var profile = Profiles.Of(Growing, budget: 48, kvBlocks: 48, context: 768);

        var one = Simulate(profile, NodeSettings.From(profile), requests, nodes: 7, workers: 1);
        var lanes = Simulate(profile, NodeSettings.From(profile), requests, nodes: 7, workers);

        AssertSame(one, lanes);
        Assert.True(one.CachedPromptTokens > 0 && one.RunSteps > 0);
    }

    [Fact]
    public void EarlyRejection_SameRefusalsAsOneThread()
    {
        // Bursts of flex requests at three nodes that serve about 4 a second each: some are refused, the rest queue.
        var profile = Profiles.Of(Profiles.Round, budget: 64, maxSequences: 4);
        var requests = Enumerable.Range(0, 2500).Select(i => new SimRequest(i * 0.02, Profiles.Prompt(i, 32 + i % 64), 1 + i % 24, ServiceTier.Flex)).ToArray();
        var levels = new ServiceLevels { Flex = new SloTarget(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)), RejectionMargin = 0, EarlyRejection = true };
        var node = NodeSettings.From(profile) with { Levels = levels };

        var one = Simulate(profile, node, requests, nodes: 3, workers: 1);
        var lanes = Simulate(profile, node, requests, nodes: 3, workers: 2);

        AssertSame(one, lanes);
        Assert.Contains(one.Outcomes, o => o.Refused);
        Assert.Contains(one.Outcomes, o => !o.Refused);
    }
}
