using Strata.Simulation.Routing;

namespace Strata.Simulation.Tests;

public sealed class TopologyTests
{
    /// <summary>10 ms a step, 1 ms per prefill token, 2 ms per decoding sequence, 1 ms per block loaded from a lower tier.</summary>
    private static readonly CostModel Loads = Profiles.Round with { BlockLoadSeconds = 0.001 };

    /// <summary>1,000-byte blocks over 100 kB/s: 10 ms a block.</summary>
    private static Disaggregation OnePrefill(double bandwidth = 100_000, int threshold = 16) => new(1, bandwidth, 1000, threshold);

    private static SimulationResult Simulate(StepProfile profile, IEnumerable<SimRequest> requests, Disaggregation? disaggregation = null, NodeSettings? node = null) =>
        new ClusterSimulation(profile, new ClusterSettings(1, RouterPolicy.RoundRobin, node ?? NodeSettings.From(profile), Disaggregation: disaggregation)).Run(requests);

    [Fact]
    public void Disaggregated_PrefillNodeComputesThePrompt_BlocksCross_DecodeNodeLoadsThemAndDecodes()
    {
        // Prefill node: 40 tokens in 16-token steps, 26 + 26 + 18 = 70 ms. Its 2 full blocks cross in 20 ms (90 ms).
        // Decode node: loads them (2 ms) and computes the last 8 prompt tokens in one step, 10 + 8 + 2 = 20 ms (TTFT 110 ms),
        // then 3 decodes of 12 ms.
        var profile = Profiles.Of(Loads, budget: 16);
        var request = new SimRequest(0, Profiles.Prompt(1, 40), 4);

        var simulation = new ClusterSimulation(profile, new ClusterSettings(1, RouterPolicy.RoundRobin, NodeSettings.From(profile), Disaggregation: OnePrefill()));
        var outcome = Assert.Single(simulation.Run([request]).Outcomes);

        Assert.Null(outcome.Error);
        Assert.Equal(0, outcome.Node);
        Assert.Equal(32, outcome.CachedTokens);
        Assert.Equal(0.110, outcome.TtftSeconds, 9);
        Assert.Equal(0.146, outcome.EndToEndSeconds, 9);
        Assert.Equal([12f, 12f, 12f], outcome.InterTokenMs);
        Assert.Equal((1L, 2L), simulation.Handoffs);
    }

    [Fact]
    public void Disaggregated_TransferTimeFollowsTheBandwidth()
    {
        var profile = Profiles.Of(Loads, budget: 16);
        var request = new SimRequest(0, Profiles.Prompt(1, 40), 4);

        var fast = Simulate(profile, [request], OnePrefill(bandwidth: 100_000)).Outcomes[0];
        var slow = Simulate(profile, [request], OnePrefill(bandwidth: 50_000)).Outcomes[0];

        // Two blocks at 20 ms instead of 10 ms each.
        Assert.Equal(0.020, slow.TtftSeconds - fast.TtftSeconds, 9);
    }

    [Fact]
    public void Disaggregated_TransfersFromOnePrefillNodeShareItsLink()
    {
        // Two prompts computed in one batch on the one prefill node finish together; the second's blocks wait for the first's.
        var profile = Profiles.Of(Loads, budget: 256);
        SimRequest[] requests = [new(0, Profiles.Prompt(1, 40), 2), new(0, Profiles.Prompt(2, 40), 2)];

        var outcomes = Simulate(profile, requests, OnePrefill(bandwidth: 10_000)).Outcomes;

        // 2 blocks at 100 ms each: the second request reaches its decode node 200 ms after the first.
        Assert.Equal(0.2, outcomes[1].TtftSeconds - outcomes[0].TtftSeconds, 9);
    }

    [Fact]
    public void Disaggregated_PromptBelowTheThreshold_IsComputedOnTheDecodeNode()
    {
        var profile = Profiles.Of(Loads, budget: 16);
        var request = new SimRequest(0, Profiles.Prompt(1, 40), 4);

        var simulation = new ClusterSimulation(profile, new ClusterSettings(1, RouterPolicy.RoundRobin, NodeSettings.From(profile), Disaggregation: OnePrefill(threshold: 41)));
        var outcome = simulation.Run([request]).Outcomes[0];

        Assert.Equal((0L, 0L), simulation.Handoffs);
        Assert.Equal(0, outcome.CachedTokens);
        Assert.Equal(0.070, outcome.TtftSeconds, 9);
    }

    /// <summary>A 64-token prefix, then two long prompts that push it out of a 12-block pool, then the prefix again.</summary>
    private static SimRequest[] Evicting()
    {
        var prefix = Profiles.Prompt(7, 64);
        return
        [
            new(0, [.. prefix, .. Profiles.Prompt(1, 8)], 2),
            new(1, Profiles.Prompt(2, 150), 2),
            new(2, Profiles.Prompt(3, 150), 2),
            new(3, [.. prefix, .. Profiles.Prompt(4, 8)], 2),
        ];
    }

    [Theory]
    [InlineData(32, 0)]
    [InlineData(0, 32)]
    public void LowerTier_KeepsWhatThePoolEvicted_AndTheNextRequestLoadsIt(int hostBlocks, int diskBlocks)
    {
        var profile = Profiles.Of(Loads, budget: 256, kvBlocks: 12, context: 192);
        var bare = NodeSettings.From(profile);

        var without = Simulate(profile, Evicting(), node: bare).Outcomes[3];
        var with = Simulate(profile, Evicting(), node: bare with { HostBlocks = hostBlocks, DiskBlocks = diskBlocks }).Outcomes[3];

        Assert.True(without.CachedTokens < 64, $"the pool alone kept {without.CachedTokens} tokens of the prefix");
        Assert.Equal(64, with.CachedTokens);
        // 4 block loads (4 ms) instead of computing 64 tokens (64 ms).
        Assert.True(with.TtftSeconds < without.TtftSeconds - 0.050, $"{with.TtftSeconds} s with the tier, {without.TtftSeconds} s without");
    }

    [Fact]
    public void TooSmallHostTier_KeepsOnlyTheMostRecentlyEvictedBlocks()
    {
        var profile = Profiles.Of(Loads, budget: 256, kvBlocks: 12, context: 192);

        var outcome = Simulate(profile, Evicting(), node: NodeSettings.From(profile) with { HostBlocks = 8 }).Outcomes[3];

        // The two long prompts' evicted blocks came later and pushed the prefix's out of an 8-block tier.
        Assert.True(outcome.CachedTokens < 64, $"an 8-block host tier gave {outcome.CachedTokens} tokens of the prefix");
    }
}
