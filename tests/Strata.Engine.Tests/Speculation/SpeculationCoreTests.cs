using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.Engine.Speculation;
using Strata.Engine.Tests.Core;

namespace Strata.Engine.Tests.Speculation;

/// <summary>Speculative decoding in the model-free core: exactness under batching and preemption, the step's draft limit, and the sampled distribution.</summary>
public sealed class SpeculationCoreTests
{
    /// <summary>A "model" that mostly repeats what came five tokens earlier, deviating at every ninth position: drafts are often right, sometimes wrong.</summary>
    private static int Echo(IReadOnlyList<int> tokens) =>
        tokens.Count % 9 == 0 ? (tokens[^1] * 7 + tokens.Count) % ScriptedRunner.Vocabulary : tokens[^5];

    private static EngineOptions Options(SpeculativeMethod method, int blockSize = 4, int maxStepTokens = 1024, int maxSequences = 64) =>
        CoreHarness.Options(blockSize, maxSequences: maxSequences) with
        {
            Speculation = new SpeculationOptions { Method = method, NumSpeculativeTokens = 4, MaxStepTokens = maxStepTokens },
        };

    [Theory]
    [InlineData(SpeculativeMethod.Ngram)]
    [InlineData(SpeculativeMethod.Suffix)]
    public void Step_ThirtyTwoConcurrentUnderPreemption_GreedyEqualsPlainAndNeverDraftsPastMaxTokens(SpeculativeMethod method)
    {
        var harness = new CoreHarness(Options(method), blocks: 60, budget: 48, runner: _ => new ScriptedRunner(new ManualClock(), Echo));
        var requests = Enumerable.Range(0, 32).Select(i => CoreHarness.Greedy(CoreHarness.Prompt(i, 6 + i % 11), 12 + i % 9)).ToArray();
        var handles = requests.Select(harness.Submit).ToArray();

        harness.RunUntilIdle();

        for (var i = 0; i < requests.Length; i++)
            Assert.Equal(ScriptedRunner.Continue(requests[i].PromptTokens, requests[i].Sampling.MaxTokens, Echo), CoreHarness.Drain(handles[i]).Tokens[0]);
        var stats = harness.Core.Snapshot();
        Assert.True(stats.Preemptions > 0, "60 blocks of 4 tokens should force preemptions");
        Assert.True(stats.Speculation!.AcceptedTokens > 0 && stats.Speculation.AcceptedTokens < stats.Speculation.DraftTokens,
            $"{stats.Speculation.AcceptedTokens} of {stats.Speculation.DraftTokens} drafts accepted");
        Assert.True(harness.Records.Count < requests.Sum(r => r.Sampling.MaxTokens), "accepted drafts should save steps");
        var limits = handles.Select((_, i) => requests[i].PromptTokens.Length + requests[i].Sampling.MaxTokens).ToArray();
        foreach (var chunk in harness.Recorder.Steps.SelectMany(s => s.Chunks))
            Assert.True(chunk.Start + chunk.Count + chunk.Drafts.Length < limits[chunk.Sequence - 1], $"{chunk} drafts past max_tokens");
    }

    [Fact]
    public void Step_ManyDecodingSequences_DraftsOnlyWithinTheStepLimit()
    {
        var harness = new CoreHarness(Options(SpeculativeMethod.Ngram, maxStepTokens: 8), blocks: 400, budget: 256,
            runner: _ => new ScriptedRunner(new ManualClock(), Echo));
        var alone = harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(1, 12), 30));
        harness.RunUntilIdle();
        Assert.True(harness.Records.Sum(r => r.DraftTokens) > 0, "a lone sequence should speculate");
        harness.Records.Clear();

        var handles = Enumerable.Range(0, 12).Select(i => harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 12), 20 + 2 * i))).ToArray();
        harness.RunUntilIdle();

        Assert.All(harness.Records, r => Assert.True(r.DraftTokens == 0 || r.DecodeSequences + r.DraftTokens <= 8, $"{r.DecodeSequences} decodes with {r.DraftTokens} drafts"));
        Assert.Contains(harness.Records, r => r.DecodeSequences == 12 && r.DraftTokens == 0);
        Assert.Contains(harness.Records, r => r.DraftTokens > 0); // as the batch drains, speculation comes back
        Assert.Equal(ScriptedRunner.Continue(CoreHarness.Prompt(1, 12), 30, Echo), CoreHarness.Drain(alone).Tokens[0]);
    }

    [Fact]
    public void Step_FullSteps_SuffixTreeLearnsOnlyOnceSequencesMayDraftAgain()
    {
        var harness = new CoreHarness(Options(SpeculativeMethod.Suffix, maxStepTokens: 8), blocks: 400, budget: 256,
            runner: _ => new ScriptedRunner(new ManualClock(), Echo));
        var handles = Enumerable.Range(0, 12).Select(i => harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 12), 20 + 2 * i))).ToArray();
        var steps = new List<(int Decodes, int Nodes)>();

        harness.RunUntilIdle(() => steps.Add((harness.Records[^1].DecodeSequences, harness.Core.Snapshot().Speculation!.SuffixTreeNodes)));

        // With 8 or more sequences decoding no step has room for a draft, and the tree is not fed: only its root.
        var full = steps.TakeWhile(s => s.Decodes == 0 || s.Decodes >= 8).ToList();
        Assert.Contains(full, s => s.Decodes >= 8);
        Assert.All(full, s => Assert.Equal(1, s.Nodes));
        Assert.True(steps[^1].Nodes > 12 * 12, $"the sequences left should have caught up: {steps[^1].Nodes} nodes");
        Assert.Contains(harness.Records, r => r.DraftTokens > 0);
        for (var i = 0; i < handles.Length; i++)
            Assert.Equal(ScriptedRunner.Continue(CoreHarness.Prompt(i, 12), 20 + 2 * i, Echo), CoreHarness.Drain(handles[i]).Tokens[0]);
    }

    [Fact]
    public void Step_DraftsPricedOut_SuffixTreeLearnsOnlyOnceTheyPay()
    {
        // 5 ms a step plus 4 ms a position, as below: once a lone sequence has taught the law so, no step of 24 or more
        // sequences may draft, and no step limit stops them (1024 tokens). Those sequences must not feed the tree (each
        // token is a level per path up to its depth, for drafts never made); the last, alone, catches up and drafts.
        CoreHarness? harness = null;
        harness = new CoreHarness(Options(SpeculativeMethod.Suffix), blocks: 2000, budget: 512,
            runner: _ => new CostlyRunner(new ScriptedRunner(new ManualClock(), Echo), plan => harness!.Clock.Advance(
                TimeSpan.FromMilliseconds(5 + 4 * plan.Chunks.Sum(c => c.TokenCount)))));
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(100, 12), 60));
        harness.RunUntilIdle();
        var learnt = harness.Core.Snapshot().Speculation!.SuffixTreeNodes;
        var handles = Enumerable.Range(0, 32).Select(i => harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 12), i == 31 ? 120 : 40 + i))).ToArray();
        var steps = new List<(int Decodes, int Drafts, int Nodes)>();

        harness.RunUntilIdle(() => steps.Add((harness.Records[^1].DecodeSequences, harness.Records[^1].DraftTokens, harness.Core.Snapshot().Speculation!.SuffixTreeNodes)));

        var crowded = steps.TakeWhile(s => s.Decodes == 0 || s.Decodes >= 24).ToList();
        Assert.Contains(crowded, s => s.Decodes >= 24);
        Assert.All(crowded, s => Assert.Equal((0, learnt), (s.Drafts, s.Nodes)));
        Assert.Contains(steps, s => s.Drafts > 0);
        for (var i = 0; i < handles.Length; i++)
            Assert.Equal(ScriptedRunner.Continue(CoreHarness.Prompt(i, 12), i == 31 ? 120 : 40 + i, Echo), CoreHarness.Drain(handles[i]).Tokens[0]);
    }

    [Fact]
    public void Step_StepsCostPerPosition_DraftsForOneSequenceButNotForAComputeBoundBatch()
    {
        // 5 ms a step plus 4 ms a position: for one sequence a draft pays if accepted 44% of the time, in a batch of 32
        // only above 96%; these drafts are right about 85% of the time.
        CoreHarness? harness = null;
        harness = new CoreHarness(Options(SpeculativeMethod.Ngram), blocks: 2000, budget: 512,
            runner: _ => new CostlyRunner(new ScriptedRunner(new ManualClock(), Echo), plan => harness!.Clock.Advance(
                TimeSpan.FromMilliseconds(5 + 4 * plan.Chunks.Sum(c => c.TokenCount)))));
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(1, 12), 60));
        harness.RunUntilIdle();
        Assert.True(harness.Records.Sum(r => r.DraftTokens) > 0, "a lone sequence should speculate");
        harness.Records.Clear();

        for (var i = 0; i < 32; i++)
            harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 12), i == 31 ? 120 : 40 + i));
        harness.RunUntilIdle();

        Assert.All(harness.Records.Where(r => r.DecodeSequences >= 24), r => Assert.Equal(0, r.DraftTokens));
        Assert.Contains(harness.Records, r => r.DraftTokens > 0); // the last sequence, alone, speculates again
    }

    /// <summary>
    /// A repeated template: eight requests with the same prompt, each continued the same way (the scripted model is a
    /// function of the tokens), one at a time. Steps cost 20 ms plus 1 ms a position, as on a CPU whose step reads every
    /// weight. The ninth request's first decode step should carry all 8 drafts: the suffix tree saw its path continued the
    /// same way eight times, and the method's drafts were all accepted. Starting from an even chance per draft, as a new
    /// sequence did, it got 3 (the 4th draft, at 1/16, is not worth its row), and every request built up again.
    /// </summary>
    [Fact]
    public void Step_TemplateSeenInEarlierRequests_NewRequestDraftsFullLengthAtItsFirstDecodeStep()
    {
        CoreHarness? harness = null;
        harness = new CoreHarness(CoreHarness.Options(blockSize: 4) with
            {
                Speculation = new SpeculationOptions { Method = SpeculativeMethod.Suffix, NumSpeculativeTokens = 8, MaxStepTokens = 16 },
            }, blocks: 2000, budget: 512,
            runner: _ => new CostlyRunner(new ScriptedRunner(new ManualClock()), plan => harness!.Clock.Advance(
                TimeSpan.FromMilliseconds(20 + plan.Chunks.Sum(c => c.TokenCount)))));
        var template = CoreHarness.Greedy(CoreHarness.Prompt(7, 12), 60);
        for (var i = 0; i < 8; i++)
        {
            harness.Submit(template);
            harness.RunUntilIdle();
        }
        harness.Records.Clear();

        var handle = harness.Submit(template);
        harness.RunUntilIdle();

        Assert.Equal(8, harness.Records.First(r => r.DecodeSequences > 0).DraftTokens);
        Assert.Equal(ScriptedRunner.Continue(template.PromptTokens, 60), CoreHarness.Drain(handle).Tokens[0]);
    }

    [Fact]
    public void Step_ColdFirstPromptAndVerificationSteps_LoneSequenceKeepsSpeculating()
    {
        // As in a fresh process: the law starts from StepBudget's calibration (0.8 ms a step, 0.03 ms a position), every
        // step costs 0.9 ms + 0.03 ms a position, but the first prompt step and the first step verifying drafts run their
        // code paths for the first time (JIT-compiled): 400 ms and 50 ms. A draft is worth its place if accepted 4% of
        // the time; these are right about 85% of the time. Fitting the cold steps priced a position at ~10 ms, and since
        // no drafts then ran, nothing corrected it.
        CoreHarness? harness = null;
        bool prompted = false, verified = false;
        void Charge(SchedulerPlan plan)
        {
            var cold = 0.0;
            if (!prompted && plan.Chunks.Any(c => !c.IsDecode))
                (prompted, cold) = (true, 400);
            if (!verified && plan.Chunks.Any(c => c.Drafts.Count > 0))
                (verified, cold) = (true, 50);
            harness!.Clock.Advance(TimeSpan.FromMilliseconds(cold + 0.9 + 0.03 * plan.Chunks.Sum(c => c.TokenCount)));
        }
        harness = new CoreHarness(Options(SpeculativeMethod.Ngram), blocks: 200, budget: 512,
            runner: _ => new CostlyRunner(new ScriptedRunner(new ManualClock(), Echo), Charge),
            costs: new StepCostModel(new StepCost(0.0008, 0.00003, 0.00003, 0)));
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(1, 33), 100));

        harness.RunUntilIdle();

        var stats = harness.Core.Snapshot().Speculation!;
        Assert.True(harness.Records.Count < 60, $"100 tokens in {harness.Records.Count} steps, {stats.AcceptedTokens} of {stats.DraftTokens} drafts accepted");
    }

    /// <summary>
    /// A lone sequence whose drafts are right about 85% of the time, 300 tokens long, among prompt-only requests (200
    /// tokens, one token out) every fifth of the first 300 steps, as on a server with arrivals. A step costs 1 ms, 0.2 ms a decode, 0.01 ms a prompt token,
    /// and <paramref name="draftMs"/> a verification row. At 1.5 ms a row costs more than the 0.85 × 1.2 ms an accepted
    /// draft saves: speculating may cost only the two steps that learn so (the first verification is left out of the fit
    /// as a cold one); main's rule priced the row as a prompt token, fitted cheap from the prompt chunks, and kept
    /// drafting. At 0.05 ms a row pays: speculating must save time.
    /// </summary>
    [Theory]
    [InlineData(1.5, 1.02)]
    [InlineData(0.05, 0.8)]
    public void Step_VerificationRowsPricedByTheirOwnTerm_SpeculatesOnlyWhereItSavesTime(double draftMs, double maxTimeRatio)
    {
        var (plain, _) = MixedRunMilliseconds(draftMs, speculate: false);
        var (speculative, draftSteps) = MixedRunMilliseconds(draftMs, speculate: true);

        Assert.True(speculative <= plain * maxTimeRatio, $"{speculative:F0} ms with speculation, {plain:F0} ms without, drafts in {draftSteps} steps");
    }

    private static (double Milliseconds, int DraftSteps) MixedRunMilliseconds(double draftMs, bool speculate)
    {
        CoreHarness? harness = null;
        void Charge(SchedulerPlan plan) => harness!.Clock.Advance(TimeSpan.FromMilliseconds(1
            + plan.Chunks.Sum(c => c.IsDecode ? 0.2 + draftMs * c.Drafts.Count : 0.01 * c.Count)));
        harness = new CoreHarness(Options(SpeculativeMethod.Ngram), blocks: 2000, budget: 512,
            runner: _ => new CostlyRunner(new ScriptedRunner(new ManualClock(), Echo), Charge));
        var lone = CoreHarness.Greedy(CoreHarness.Prompt(1, 12), 300) with { Speculative = speculate };
        var handle = harness.Submit(lone);
        var started = harness.Clock.GetTimestamp();

        for (var step = 1; step <= 300; step++)
        {
            if (step % 5 == 0)
                harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(step, 200), 1) with { Speculative = speculate });
            harness.Step();
        }
        harness.RunUntilIdle();

        Assert.Equal(ScriptedRunner.Continue(lone.PromptTokens, 300, Echo), CoreHarness.Drain(handle).Tokens[0]);
        return (harness.Clock.GetElapsedTime(started).TotalMilliseconds, harness.Records.Count(r => r.DraftTokens > 0));
    }

    [Fact]
    public void Step_RequestTurnsSpeculationOff_NoDraftsForIt()
    {
        var harness = new CoreHarness(Options(SpeculativeMethod.Ngram), blocks: 100, budget: 64, runner: _ => new ScriptedRunner(new ManualClock(), Echo));
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(3, 12), 30) with { Speculative = false });

        harness.RunUntilIdle();

        Assert.Equal(0, harness.Records.Sum(r => r.DraftTokens));
        Assert.Equal(30, harness.Records.Count(r => r.AcceptedTokens > 0));
    }

    /// <summary>
    /// Sampling with drafts must keep the target distribution: the fourth token of 3000 speculative runs against 3000
    /// plain ones (other seeds), a chi-square test of homogeneity at p = 0.001. The prompt walks the likeliest path, so
    /// the n-gram proposer always drafts the argmax continuation — the case where a wrong acceptance rule shows most.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sample_WithDrafts_KeepsTheTargetDistributionUnlessAcceptanceIsExactMatch(bool exactMatch)
    {
        var plain = FourthTokens(speculate: false, exactMatch: false, firstSeed: 1);
        var speculative = FourthTokens(speculate: true, exactMatch, firstSeed: 100_001);

        var (chiSquare, degrees) = ChiSquare(plain, speculative);
        var critical = new[] { 0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32 }[degrees];
        if (exactMatch)
            Assert.True(chiSquare > critical, $"exact-match acceptance went undetected: chi-square {chiSquare:F1}, {degrees} degrees of freedom");
        else
            Assert.True(chiSquare < critical, $"speculation changed the distribution: chi-square {chiSquare:F1}, {degrees} degrees of freedom");
    }

    /// <summary>
    /// The same with a draft model whose drafts are drawn from its own q (<see cref="MarkovDraft"/>): the general rule
    /// (accept with min(1, p/q), else draw from max(p − q, 0)) keeps the target distribution; accepting a drawn draft
    /// whenever it is the target's argmax does not. The category is the step from the first token (sampled after the
    /// prompt) to the second (the first draft's position): the chain mixes within a few tokens, so a later token's value
    /// would hide a distorted step.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sample_WithDraftModel_KeepsTheTargetDistributionUnlessAcceptanceIsExactMatch(bool exactMatch)
    {
        var plain = FourthTokens(speculate: false, exactMatch: false, firstSeed: 1, category: SecondStep);
        var speculative = FourthTokens(speculate: true, exactMatch, firstSeed: 200_001, category: SecondStep, SpeculativeMethod.Draft);

        var (chiSquare, degrees) = ChiSquare(plain, speculative);
        var critical = new[] { 0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32 }[degrees];
        if (exactMatch)
            Assert.True(chiSquare > critical, $"exact-match acceptance went undetected: chi-square {chiSquare:F1}, {degrees} degrees of freedom");
        else
            Assert.True(chiSquare < critical, $"speculation changed the distribution: chi-square {chiSquare:F1}, {degrees} degrees of freedom");
    }

    [Fact]
    public void Step_DraftModelUnderPreemption_GreedyEqualsPlainAndTheDraftPoolEmpties()
    {
        var draft = new MarkovDraft();
        var harness = new CoreHarness(Options(SpeculativeMethod.Draft), blocks: 24, budget: 48, runner: outputs => new MarkovRunner(outputs), draftModel: draft);
        var requests = Enumerable.Range(0, 16).Select(i => CoreHarness.Greedy(Enumerable.Range(i, 6 + i % 5).Select(t => t % MarkovRunner.Vocabulary).ToArray(), 10 + i % 7)).ToArray();
        var handles = requests.Select(harness.Submit).ToArray();

        harness.RunUntilIdle(() => harness.Core.CheckIntegrity());

        // The target's argmax after x is x + 1, and so is the draft's: every draft is accepted.
        for (var i = 0; i < requests.Length; i++)
        {
            var last = requests[i].PromptTokens[^1];
            Assert.Equal(Enumerable.Range(1, requests[i].Sampling.MaxTokens).Select(j => (last + j) % MarkovRunner.Vocabulary), CoreHarness.Drain(handles[i]).Tokens[0]);
        }
        var stats = harness.Core.Snapshot();
        Assert.True(stats.Preemptions > 0, "24 blocks of 4 tokens should force preemptions");
        Assert.True(stats.Speculation!.AcceptedTokens > 0 && stats.Speculation.AcceptedTokens == stats.Speculation.DraftTokens);
        Assert.Equal(0, stats.Speculation.DraftKvBlocksUsed);
    }

    private static int SecondStep(IReadOnlyList<int> tokens) => (tokens[1] - tokens[0] + MarkovRunner.Vocabulary) % MarkovRunner.Vocabulary;

    /// <summary>How often each category (by default the fourth token) came up in 3000 runs of the Markov model.</summary>
    private static long[] FourthTokens(bool speculate, bool exactMatch, int firstSeed, Func<IReadOnlyList<int>, int>? category = null,
        SpeculativeMethod method = SpeculativeMethod.Ngram)
    {
        const int runs = 3000;
        // Few sequences at once, so that the speculator's cost rule (on the runner's zero-cost steps) lets every one draft.
        var options = speculate ? Options(method, maxSequences: 4) : CoreHarness.Options(maxSequences: 4);
        var harness = new CoreHarness(options, blocks: 2048, budget: 4096, runner: outputs => new MarkovRunner(outputs, exactMatch),
            draftModel: method == SpeculativeMethod.Draft ? new MarkovDraft() : null);
        var prompt = Enumerable.Range(0, 24).Select(i => i % MarkovRunner.Vocabulary).ToArray();
        var handles = Enumerable.Range(firstSeed, runs).Select(seed => harness.Submit(new GenerationRequest
        {
            PromptTokens = prompt,
            Sampling = new SamplingParams { Temperature = 1, MaxTokens = 4, Seed = (ulong)seed },
        })).ToArray();
        harness.RunUntilIdle();

        if (speculate)
            Assert.True(harness.Core.Snapshot().Speculation!.DraftTokens > runs, "the proposer should have drafted");
        var counts = new long[MarkovRunner.Vocabulary];
        foreach (var handle in handles)
            counts[(category ?? (tokens => tokens[3]))(CoreHarness.Drain(handle).Tokens[0])]++;
        return counts;
    }

    /// <summary>Pearson's chi-square for two samples of equal size over the same categories, and its degrees of freedom.</summary>
    private static (double ChiSquare, int Degrees) ChiSquare(long[] a, long[] b)
    {
        double sum = 0;
        var categories = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] + b[i] == 0)
                continue;
            categories++;
            sum += (double)(a[i] - b[i]) * (a[i] - b[i]) / (a[i] + b[i]);
        }
        return (sum, categories - 1);
    }
}
