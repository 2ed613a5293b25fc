using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Simulation.Routing;

namespace Strata.Simulation.Tests;

public sealed class ServiceTierTests
{
    private static SimulationResult Simulate(StepProfile profile, IEnumerable<SimRequest> requests, NodeSettings node) =>
        new ClusterSimulation(profile, new ClusterSettings(1, RouterPolicy.RoundRobin, node)).Run(requests);

    [Fact]
    public void PriorityRequest_IsServedBeforeEarlierFlexRequests()
    {
        // Ten flex prompts queue at once on one node that runs two sequences; a priority prompt arriving just after goes
        // next (the real scheduler's tier order), while as a flex request it would wait behind them.
        var profile = Profiles.Of(Profiles.Round, budget: 64, maxSequences: 2);
        SimRequest[] Workload(ServiceTier last) =>
        [
            .. Enumerable.Range(0, 10).Select(i => new SimRequest(0, Profiles.Prompt(i, 64), 8, ServiceTier.Flex)),
            new(0.001, Profiles.Prompt(99, 64), 8, last),
        ];

        var priority = Simulate(profile, Workload(ServiceTier.Priority), NodeSettings.From(profile)).Outcomes[10];
        var flex = Simulate(profile, Workload(ServiceTier.Flex), NodeSettings.From(profile)).Outcomes[10];

        Assert.Equal(ServiceTier.Priority, priority.Tier);
        Assert.True(priority.TtftSeconds * 3 < flex.TtftSeconds, $"priority TTFT {priority.TtftSeconds} s, as flex {flex.TtftSeconds} s");
    }

    [Fact]
    public void EarlyRejection_RefusesFlexRequestsPredictedToMissTheirTarget_AndKeepsTheServedOnesWithinIt()
    {
        // 40 flex requests in 0.4 s on a node that serves about 4 a second: a 0.5 s TTFT target cannot hold for all.
        var profile = Profiles.Of(Profiles.Round, budget: 64, maxSequences: 4);
        var requests = Enumerable.Range(0, 40).Select(i => new SimRequest(i * 0.01, Profiles.Prompt(i, 64), 32, ServiceTier.Flex)).ToArray();
        var levels = new ServiceLevels { Flex = new SloTarget(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)), RejectionMargin = 0 };

        var queued = Simulate(profile, requests, NodeSettings.From(profile) with { Levels = levels }).Outcomes;
        var shed = Simulate(profile, requests, NodeSettings.From(profile) with { Levels = levels with { EarlyRejection = true } }).Outcomes;

        Assert.DoesNotContain(queued, o => o.Refused);
        Assert.Contains(shed, o => o.Refused);
        Assert.All(shed.Where(o => o.Refused), o => Assert.NotNull(o.Error));
        var served = shed.Where(o => !o.Refused).ToArray();
        Assert.True(served.Max(o => o.TtftSeconds) < queued.Max(o => o.TtftSeconds) / 2,
            $"worst served TTFT {served.Max(o => o.TtftSeconds)} s shedding, {queued.Max(o => o.TtftSeconds)} s queueing everything");
    }
}
