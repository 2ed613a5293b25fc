using Strata.Simulation.Routing;

namespace Strata.Simulation.Tests;

/// <summary>
/// Runs (pure decode steps, or a lone prompt's chunks, applied at once) must change nothing but the speed: every
/// request's times, gaps, node and cache hits, and the totals, equal those of simulating every step alone — with
/// arrivals interrupting runs, KV-aware routing reading the nodes' KV events, shared prefixes found in blocks a run
/// registered, preemption and recomputation, eviction and context-length finishes.
/// </summary>
public sealed class StepRunTests
{
    private static (SimulationResult Runs, SimulationResult Steps) Both(StepProfile profile, IReadOnlyList<SimRequest> requests, int nodes, RouterPolicy router)
    {
        var node = NodeSettings.From(profile);
        var runs = new ClusterSimulation(profile, new ClusterSettings(nodes, router, node)).Run(requests);
        var steps = new ClusterSimulation(profile, new ClusterSettings(nodes, router, node, Runs: false)).Run(requests);
        return (runs, steps);
    }

    /// <param name="runShare">The least share of the steps that must have been applied in runs (so the test exercises them).</param>
    private static void AssertSame(SimulationResult runs, SimulationResult steps, double runShare = 0.25)
    {
        Assert.Equal(steps.Outcomes.Count, runs.Outcomes.Count);
        for (var i = 0; i < steps.Outcomes.Count; i++)
        {
            var (a, b) = (runs.Outcomes[i], steps.Outcomes[i]);
            Assert.Equal(b with { InterTokenMs = [] }, a with { InterTokenMs = [] });
            Assert.Equal(b.InterTokenMs, a.InterTokenMs);
        }
        Assert.Equal(steps.DurationSeconds, runs.DurationSeconds);
        Assert.Equal(steps.Steps, runs.Steps);
        Assert.Equal((steps.AdmittedPromptTokens, steps.CachedPromptTokens, steps.Preemptions), (runs.AdmittedPromptTokens, runs.CachedPromptTokens, runs.Preemptions));
        Assert.Equal(0, steps.RunSteps);
        Assert.True(runs.RunSteps > runs.Steps * runShare, $"only {runs.RunSteps} of {runs.Steps} steps were applied in runs");
    }

    private static SimRequest[] Poisson(int count, double rate, int seed, Func<Random, int[]> prompt, int maxOutput)
    {
        var random = new Random(seed);
        var time = 0.0;
        var requests = new SimRequest[count];
        for (var i = 0; i < count; i++)
        {
            time += -Math.Log(1 - random.NextDouble()) / rate;
            requests[i] = new SimRequest(time, prompt(random), 1 + random.Next(maxOutput));
        }
        return requests;
    }

    /// <summary>A cost law with a context term, so every decode step of a run costs a little more than the last.</summary>
    private static readonly CostModel Growing = new(0.010, 0.001, 0.002, 0.000_003, 0);

    [Fact]
    public void RoundRobin_ArrivalsInterruptingRuns_SameAsStepByStep()
    {
        var requests = Poisson(300, 8, 1, r => Profiles.Prompt(r.Next(), 8 + r.Next(120)), 80);

        var (runs, steps) = Both(Profiles.Of(Growing, budget: 48), requests, nodes: 3, RouterPolicy.RoundRobin);

        AssertSame(runs, steps);
    }

    [Fact]
    public void KvAware_SharedPrefixesAndEvictions_SameAsStepByStep()
    {
        var prefixes = Enumerable.Range(0, 6).Select(g => Profiles.Prompt(500 + g, 96)).ToArray();
        var requests = Poisson(300, 10, 2, r => [.. prefixes[r.Next(prefixes.Length)], .. Profiles.Prompt(r.Next(), 4 + r.Next(40))], 60);

        // 40 blocks of 16 per node: prefixes, prompts and decodes keep evicting each other's cached blocks.
        var (runs, steps) = Both(Profiles.Of(Growing, budget: 64, kvBlocks: 40, context: 640), requests, nodes: 3, RouterPolicy.KvAware);

        AssertSame(runs, steps);
        Assert.True(runs.CachedPromptTokens > 0);
    }

    [Fact]
    public void SmallPool_PreemptionsAndContextLimit_SameAsStepByStep()
    {
        // 24 blocks of 16 and a 256-token context: long generations run out of blocks and into the context's end.
        var requests = Poisson(120, 6, 3, r => Profiles.Prompt(r.Next(), 16 + r.Next(100)), 240);

        var (runs, steps) = Both(Profiles.Of(Growing, budget: 32, kvBlocks: 24, context: 256), requests, nodes: 2, RouterPolicy.RoundRobin);

        // Preempted sequences wait, and a step with anything waiting is never part of a run: fewer runs here.
        AssertSame(runs, steps, runShare: 0.02);
        Assert.True(steps.Preemptions > 0, "the pool is too small for the load");
        Assert.Contains(steps.Outcomes, o => o.PromptTokens + o.OutputTokens == 256);
    }

    [Fact]
    public void LongPrompts_OneTokenEach_PrefillRunsSameAsStepByStep()
    {
        // One output token: no request ever decodes, so every run is a prompt's chunks. Nodes are often busy with
        // one prompt when the next arrives (interrupting its run), and prompts share prefixes the runs register.
        var prefixes = Enumerable.Range(0, 4).Select(g => Profiles.Prompt(700 + g, 160)).ToArray();
        var requests = Poisson(200, 6, 4, r => [.. prefixes[r.Next(prefixes.Length)], .. Profiles.Prompt(r.Next(), 20 + r.Next(300))], 1)
            .Select(r => r with { MaxTokens = 1 }).ToArray();

        var (runs, steps) = Both(Profiles.Of(Growing, budget: 32, kvBlocks: 200, context: 1024), requests, nodes: 2, RouterPolicy.RoundRobin);

        AssertSame(runs, steps);
        Assert.True(runs.CachedPromptTokens > 0);
    }

    [Fact]
    public void LongPrompts_SmallPool_PrefillAndDecodeRunsSameAsStepByStep()
    {
        // 40 blocks of 16 and prompts of up to 400 tokens: prompts evict each other's cached blocks, a run stops where
        // its blocks would run out, and long generations are preempted and computed again in chunks.
        var requests = Poisson(150, 3, 5, r => Profiles.Prompt(r.Next(), 40 + r.Next(360)), 120);

        var (runs, steps) = Both(Profiles.Of(Growing, budget: 24, kvBlocks: 40, context: 640), requests, nodes: 2, RouterPolicy.RoundRobin);

        AssertSame(runs, steps, runShare: 0.1);
        Assert.True(steps.Preemptions > 0, "the pool is too small for the load");
    }

    [Fact]
    public void AllAtOnce_SameAsStepByStep()
    {
        var requests = Enumerable.Range(0, 40).Select(i => new SimRequest(0, Profiles.Prompt(i, 10 + i * 3), 5 + i * 7 % 90)).ToArray();

        var (runs, steps) = Both(Profiles.Of(Growing, budget: 64, maxSequences: 16), requests, nodes: 1, RouterPolicy.RoundRobin);

        AssertSame(runs, steps);
    }
}
