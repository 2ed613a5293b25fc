namespace Strata.Engine.Tests.Core;

/// <summary>The scheduler's policy on the model-free core: budget, admission, preemption, forks and drafts.</summary>
public sealed class SchedulerTests
{
    [Fact]
    public void Schedule_PromptsOverTheBudget_ChunkedSoNoStepExceedsIt()
    {
        var harness = new CoreHarness(CoreHarness.Options(blockSize: 16), blocks: 64, budget: 64);
        var handles = Enumerable.Range(0, 3).Select(i => harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 40), 4))).ToArray();

        harness.RunUntilIdle();

        var steps = harness.Recorder.Steps;
        Assert.Equal([new ChunkTrace(1, 0, 40, [], []), new ChunkTrace(2, 0, 24, [], [])], steps[0].Chunks);
        Assert.Equal([new ChunkTrace(1, 40, 1, [], []), new ChunkTrace(2, 24, 16, [], []), new ChunkTrace(3, 0, 40, [], [])], steps[1].Chunks);
        Assert.All(steps, s => Assert.InRange(s.TokenCount, 1, 64));
        Assert.Equal((64, 0), (harness.Records[0].PrefillTokens, harness.Records[0].DecodeSequences));
        Assert.Equal((56, 1), (harness.Records[1].PrefillTokens, harness.Records[1].DecodeSequences));
        for (var i = 0; i < handles.Length; i++)
            Assert.Equal(ScriptedRunner.Continue(CoreHarness.Prompt(i, 40), 4), CoreHarness.Drain(handles[i]).Tokens[0]);
    }

    [Fact]
    public void Schedule_MaxSequencesRunning_LaterRequestsWaitTheirTurn()
    {
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: 2), blocks: 64, budget: 256);
        var handles = new[] { 6, 3, 5 }.Select((tokens, i) => harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 8), tokens))).ToArray();

        harness.RunUntilIdle(() => Assert.InRange(harness.Core.Snapshot().RunningSequences, 0, 2));

        var third = harness.Recorder.Steps.FindIndex(s => s.Chunks.Any(c => c.Sequence == 3));
        Assert.Equal(3, third); // the second request's three tokens took steps 0-2; the third is admitted when it has left
        Assert.All(handles, h => Assert.Equal(Requests.FinishReason.Length, FinishReasonOf(h)));
    }

    [Fact]
    public void Schedule_BlocksRunOut_LastArrivalPreemptedAndRecomputedWithTheSameOutput()
    {
        var prompts = Enumerable.Range(0, 3).Select(i => CoreHarness.Prompt(i, 10)).ToArray();
        // 3 sequences of up to 34 tokens need 27 blocks of 4 tokens; 14 blocks force preemptions.
        var harness = new CoreHarness(CoreHarness.Options(prefixCaching: false), blocks: 14, budget: 64);
        var handles = prompts.Select(p => harness.Submit(CoreHarness.Greedy(p, 24))).ToArray();

        harness.RunUntilIdle();

        Assert.True(harness.Core.Snapshot().Preemptions > 0, "14 blocks should not hold three 34-token sequences");
        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(ScriptedRunner.Continue(prompts[i], 24), CoreHarness.Drain(handles[i]).Tokens[0]);
        // The first preempted is the last to arrive; the first to arrive never is. A preempted sequence is recomputed
        // from its first token: prompt and output so far.
        var steps = harness.Recorder.Steps;
        int PreemptedAt(long sequence)
        {
            var first = steps.FindIndex(s => s.Chunks.Any(c => c.Sequence == sequence));
            var gap = steps.FindIndex(first, s => s.Chunks.All(c => c.Sequence != sequence));
            return gap >= 0 && steps.Skip(gap).Any(s => s.Chunks.Any(c => c.Sequence == sequence)) ? gap : int.MaxValue;
        }
        Assert.Equal(int.MaxValue, PreemptedAt(1));
        Assert.True(PreemptedAt(3) < PreemptedAt(2), $"sequence 3 preempted at step {PreemptedAt(3)}, sequence 2 at {PreemptedAt(2)}");
        var recompute = steps.Skip(PreemptedAt(3)).SelectMany(s => s.Chunks).First(c => c.Sequence == 3);
        Assert.Equal(0, recompute.Start);
        Assert.True(recompute.Count > prompts[2].Length, "the recompute should cover generated tokens too");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fork_ChoicesBeyondMaxSequences_WaitAndStillFinishAlike(int maxSequences)
    {
        var prompt = CoreHarness.Prompt(7, 10);
        var harness = new CoreHarness(CoreHarness.Options(maxSequences: maxSequences), blocks: 64, budget: 64);
        var handle = harness.Submit(CoreHarness.Greedy(prompt, 5, choices: 3));

        harness.RunUntilIdle(() => Assert.InRange(harness.Core.Snapshot().RunningSequences, 0, maxSequences));

        var completion = CoreHarness.Drain(handle, 3);
        Assert.All(completion.Tokens, tokens => Assert.Equal(ScriptedRunner.Continue(prompt, 5), tokens));
        // A waiting choice is admitted like any request: its prompt's full blocks come from the prefix cache.
        var waited = harness.Recorder.Steps.SelectMany(s => s.Chunks).Where(c => c.Sequence == 3).First();
        Assert.Equal(8, waited.Start);
        Assert.Equal(0, handle.CachedTokens);
    }

    [Fact]
    public void Fork_ChoicesWithinMaxSequences_ShareThePromptBlocksAtOnce()
    {
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 64, budget: 64);
        var handle = harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(7, 10), 5, choices: 3));

        harness.Step();

        Assert.Equal([new ChunkTrace(1, 0, 10, [], [2, 3])], harness.Recorder.Steps[0].Chunks);
        Assert.Equal(3, harness.Core.Snapshot().RunningSequences);
        Assert.Equal(3, harness.Core.Cache.UsedBlocks); // three shared prompt blocks, nothing copied yet
        harness.RunUntilIdle();
        Assert.All(CoreHarness.Drain(handle, 3).Tokens, tokens => Assert.Equal(5, tokens.Length));
    }

    [Fact]
    public void Commit_RejectedDraft_TruncatesTheTableAndRegistersOnlyAcceptedBlocks()
    {
        var prompt = CoreHarness.Prompt(3, 6);
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 16, budget: 64);
        var handle = harness.Submit(CoreHarness.Greedy(prompt, 12));
        harness.Step();
        var sequence = harness.Core.Scheduler.Sequences.Single();
        var truth = ScriptedRunner.Continue(prompt, 12);
        sequence.Drafts = [truth[1], truth[2] + 1, 7, 9]; // the first draft is right, the second wrong

        harness.Step();

        Assert.Equal(new ChunkTrace(1, 6, 1, [truth[1], truth[2] + 1, 7, 9], []), harness.Recorder.Steps[1].Chunks.Single());
        Assert.Equal(truth[..3], sequence.Generated.ToArray());
        Assert.Equal(8, sequence.ComputedCount);
        Assert.Equal(2, sequence.Table.Count); // the draft positions 8-10 had a third block; it is gone
        Assert.Equal(2, harness.Core.Cache.UsedBlocks);
        Assert.Equal(2, harness.Core.Cache.CachedBlocks); // positions 0-7 hold the prompt and accepted tokens only
        Assert.Empty(sequence.Drafts);
        harness.Core.Scheduler.CheckIntegrity();

        harness.RunUntilIdle();
        Assert.Equal(truth, CoreHarness.Drain(handle).Tokens[0]);
        Assert.Equal((1, 4), (harness.Records[1].DecodeSequences, harness.Records[1].DraftTokens));
    }

    [Fact]
    public void Commit_AllDraftsAccepted_AdvancesByThemAndTheTokenAfter()
    {
        var prompt = CoreHarness.Prompt(4, 6);
        var truth = ScriptedRunner.Continue(prompt, 12);
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 16, budget: 64);
        var handle = harness.Submit(CoreHarness.Greedy(prompt, 12));
        harness.Step();
        var sequence = harness.Core.Scheduler.Sequences.Single();
        sequence.Drafts = truth[1..4];

        harness.Step();

        Assert.Equal(truth[..5], sequence.Generated.ToArray());
        Assert.Equal(10, sequence.ComputedCount);
        Assert.Equal(4, harness.Records[1].AcceptedTokens);
        harness.RunUntilIdle();
        Assert.Equal(truth, CoreHarness.Drain(handle).Tokens[0]);
    }

    [Fact]
    public void Schedule_DraftsWithoutFreeBlocks_DroppedRatherThanPreemptingAnyone()
    {
        // Both prompts fill their second block only partly; the four blocks are all in use.
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 4, budget: 64);
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(1, 6), 3));
        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(2, 7), 3));
        harness.Step();
        var first = harness.Core.Scheduler.Sequences.First();
        first.Drafts = [1, 2, 3, 4, 5];

        harness.Step();

        Assert.Empty(harness.Recorder.Steps[1].Chunks.First().Drafts);
        Assert.Equal(0, harness.Core.Snapshot().Preemptions);
    }

    private static Requests.FinishReason FinishReasonOf(Requests.GenerationHandle handle) => CoreHarness.Drain(handle).Reasons[0];
}
