using Strata.Engine;
using Strata.Models;
using Strata.Simulation.Profiling;
using Strata.Simulation.Routing;
using Strata.TestSupport;

namespace Strata.Simulation.Tests;

/// <summary>
/// A two-node cluster of real TinyStories engines against the simulated one. Each real node's steps are recorded and
/// replayed on its simulated twin (a step cost per node), so the simulation must route every request to the node the
/// real cluster's router chose — round-robin, or KV-aware over what the real engines' KV events announced — and run the
/// same steps on each node in order, giving every request the latencies it measured, as the one-node test checks.
/// </summary>
public sealed class ClusterValidationTests
{
    private const int Nodes = 2;
    private const int Budget = 64;

    /// <summary>
    /// Two waves: first one request on each of two documents and some random prompts, then questions on both documents
    /// (which a KV-aware router sends where their document is cached) and more random prompts. A real node admits its
    /// share of a wave before it steps, a simulated one starts a step at the first arrival: so the first two prompts of a
    /// wave (one to each node, by either router) each fill a step's budget, and the first steps are the same. Within a
    /// wave no two prompts share a block the first wave did not compute: a simulated step announces its blocks at its
    /// start, a real one at its end, and a wave's requests are routed at one instant.
    /// </summary>
    private static SimRequest[][] Waves()
    {
        var random = new Random(11);
        int[] Tokens(int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(1, 512))];
        int[][] documents = [Tokens(96), Tokens(112)];
        SimRequest Question(int[] document) => new(0, [.. document, .. Tokens(random.Next(8, 40))], random.Next(8, 32));
        SimRequest Alone(int shortest = 24) => new(0, Tokens(random.Next(shortest, 160)), random.Next(8, 48));
        return
        [
            [Question(documents[0]), Question(documents[1]), Alone(), Alone(), Alone()],
            [Alone(shortest: Budget), Alone(shortest: Budget), Question(documents[0]), Question(documents[1]), Alone(), Question(documents[0]), Question(documents[1])],
        ];
    }

    [Theory]
    [InlineData(RouterPolicy.RoundRobin)]
    [InlineData(RouterPolicy.KvAware)]
    public void Simulation_GivenEachNodesRealStepTimes_RoutesAndSchedulesAsTheRealCluster_OnTinyStories(RouterPolicy policy)
    {
        using var cluster = new MeasuredCluster(() => LoadedModel.Load(SharedData.Model("tinyllamas-stories-260k-f32.gguf")), Nodes,
            new EngineOptions { Threads = 1, MaxBatchedTokens = Budget, KvCacheBytes = 32L << 20 }, policy, Profiles.Round);
        var waves = Waves();

        var (measured, steps) = cluster.Run(waves);
        var workload = waves.SelectMany(w => w).Select((r, i) => r with { ArrivalSeconds = measured[i].ArrivalSeconds }).ToArray();
        // What each simulated node ran, step by step, priced by its real twin's step of the same place (a step that
        // threw here would only fail its requests: the engine survives a runner's exception).
        var ran = steps.Select(_ => new List<(int, int, long)>()).ToArray();
        StepCost Replay(int node) => (prefill, decodes, context, _, _, _) =>
        {
            ran[node].Add((prefill, decodes, context));
            return ran[node].Count <= steps[node].Count ? steps[node][ran[node].Count - 1].Seconds : 0;
        };
        var profile = Profiles.Of(Profiles.Round);
        var simulated = new ClusterSimulation(profile, new ClusterSettings(Nodes, policy, cluster.Settings), Replay).Run(workload).Outcomes;

        for (var node = 0; node < Nodes; node++)
            Assert.Equal(steps[node].Select(s => (s.PrefillTokens, s.DecodeSequences, s.ContextTokens)), ran[node]);
        Assert.Equal(workload.Length, simulated.Count);
        if (policy == RouterPolicy.KvAware)
            Assert.True(measured.Sum(o => o.CachedTokens) >= 4 * 96, "the questions of the second wave found their documents cached");
        // A node's time outside its steps (admission, reading events) is in what the real requests measured and not in
        // the replayed steps: a simulated request may be earlier by at most its node's whole time outside steps, never later.
        var outsideSteps = Enumerable.Range(0, Nodes).Select(node =>
            measured.Where(o => o.Node == node).GroupBy(o => o.ArrivalSeconds).Sum(wave => wave.Max(o => o.EndToEndSeconds)) - steps[node].Sum(s => s.Seconds)).ToArray();
        for (var i = 0; i < workload.Length; i++)
        {
            var (real, sim) = (measured[i], simulated[i]);
            Assert.Equal((real.Number, real.Node, real.OutputTokens, real.CachedTokens), (sim.Number, sim.Node, sim.OutputTokens, sim.CachedTokens));
            var slack = outsideSteps[real.Node];
            Assert.InRange(sim.TtftSeconds, real.TtftSeconds - slack - 1e-6, real.TtftSeconds + 1e-6);
            Assert.InRange(sim.EndToEndSeconds, real.EndToEndSeconds - slack - 1e-6, real.EndToEndSeconds + 1e-6);
        }
    }
}
