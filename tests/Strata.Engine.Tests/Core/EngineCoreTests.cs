using Strata.Engine.Caching;
using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Tests.Engine;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.KvCache.Prefix;
using Strata.Models.Kv;

namespace Strata.Engine.Tests.Core;

public sealed class EngineCoreTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    [Fact]
    public void Step_VirtualClock_TimeIsTheCostLawAndEveryRunIsTheSame()
    {
        var first = RunWorkload();
        var second = RunWorkload();

        Assert.Equal(first.Records, second.Records);
        Assert.Equal(first.Outputs, second.Outputs);
        long elapsed = 0;
        foreach (var record in first.Records)
        {
            // Time passes only inside steps, by exactly what the cost model charges for what the step ran.
            var cost = ScriptedRunner.CostTicks(record.PrefillTokens, record.DecodeSequences);
            Assert.Equal(elapsed, record.Started);
            Assert.Equal(cost / (double)TimeSpan.TicksPerSecond, record.Seconds, 12);
            elapsed += cost;
        }
        Assert.Equal(first.Records.Sum(r => (long)r.AcceptedTokens), first.Outputs.Sum(o => o.Length));
    }

    [Fact]
    public void Step_RecordedModelRun_ReplaysExactlyWithoutTheModel()
    {
        var prompts = new[] { "Once upon a time", "Lily and Tom went to the park", "The little dog was sad because", "Tim had a red ball" }
            .Select(fixture.Tokens).ToArray();
        var options = CoreHarness.Options(blockSize: 16) with { Threads = 2 };
        var layout = fixture.Model.Model.KvLayout(options.BlockSize, options.KvDataType);
        using var kv = new KvBuffer(layout, 12);
        using var pool = new ComputePool(2);
        // A small pool and budget so the recording has chunked prefills, preemptions and a fork.
        var recorded = new CoreHarness(options, blocks: 12, budget: 48, runner: outputs => new ModelRunner(fixture.Model.Model, kv, pool, outputs),
            tokenizer: fixture.Model.Tokenizer, maxModelLength: 192);
        var replayed = new CoreHarness(options, blocks: 12, budget: 48, runner: _ => new ReplayRunner(recorded.Recorder.Steps),
            tokenizer: fixture.Model.Tokenizer, maxModelLength: 192);

        var outputs = new[] { recorded, replayed }.Select(harness =>
        {
            var handles = prompts.Select((p, i) => harness.Submit(CoreHarness.Greedy(p, 40 + 10 * i, choices: i == 1 ? 2 : 1))).ToArray();
            harness.RunUntilIdle();
            return handles.Select((h, i) => CoreHarness.Drain(h, i == 1 ? 2 : 1)).ToArray();
        }).ToArray();

        Assert.True(recorded.Core.Snapshot().Preemptions > 0, "the recording should include preemptions");
        Assert.Equal(recorded.Recorder.Steps.Count, replayed.Recorder.Steps.Count);
        Assert.Equal(recorded.Records.Select(r => (r.PrefillTokens, r.DecodeSequences, r.ContextTokens)), replayed.Records.Select(r => (r.PrefillTokens, r.DecodeSequences, r.ContextTokens)));
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(outputs[0][i].Texts, outputs[1][i].Texts);
            Assert.Equal(outputs[0][i].Tokens, outputs[1][i].Tokens);
        }
    }

    [Fact]
    public void Admit_PromptBlockKeysGiven_TheEngineUsesThemInsteadOfDerivingItsOwn()
    {
        var prompt = CoreHarness.Prompt(3, 18);
        var other = CoreHarness.Prompt(4, 18);
        int CachedAfter(IReadOnlyList<BlockKey> firstKeys)
        {
            var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64);
            harness.Submit(CoreHarness.Greedy(prompt, 2) with { PromptBlockKeys = firstKeys });
            harness.RunUntilIdle();
            harness.Submit(CoreHarness.Greedy(prompt, 2));
            harness.RunUntilIdle();
            return (int)harness.Core.Cache.CachedPromptTokens;
        }
        var identity = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64).Identity;

        // The keys the engine would derive: the second request hits the first one's four full blocks.
        Assert.Equal(16, CachedAfter(identity.Keys("", "", prompt)));
        // Another prompt's keys: the first request's blocks are registered under them, so the second finds nothing.
        Assert.Equal(0, CachedAfter(identity.Keys("", "", other)));
    }

    [Fact]
    public void Admit_MorePromptBlockKeysThanFullBlocks_IsRefused()
    {
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64);
        var prompt = CoreHarness.Prompt(3, 11);
        var keys = harness.Identity.Keys("", "", CoreHarness.Prompt(3, 12));

        Assert.Throws<ArgumentException>(() => harness.Submit(CoreHarness.Greedy(prompt, 2) with { PromptBlockKeys = keys }));
        Assert.False(harness.Core.HasWork);
    }

    [Fact]
    public void Sequence_TokenMemory_KeepsItsContentsWhileTheSequenceGrowsPastItsStorage()
    {
        var sequence = new Scheduling.Sequence(new Scheduling.SequenceId(1), [1, 2, 3], new Scheduling.SequenceCaching(default), 0, expectedLength: 4);
        var before = sequence.TokenMemory;

        for (var token = 4; token <= 40; token++)
            sequence.Append(token);

        Assert.Equal([1, 2, 3], before.ToArray());
        Assert.Equal(Enumerable.Range(1, 40), sequence.Tokens.ToArray());
        Assert.Equal(Enumerable.Range(1, 40), sequence.TokenMemory.ToArray());
        Assert.Equal(37, sequence.GeneratedCount);
    }

    [Fact]
    public void Step_RunnerFails_ItsRequestsEndWithAnErrorTheOthersGoOnAndTheFailureIsLogged()
    {
        var log = new ListLogger();
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 16,
            runner: _ => new FailingRunner(new ScriptedRunner(new ManualClock()), failingStep: 2), logger: log);
        var early = harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(1, 12), 4));
        var late = harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(2, 12), 4)); // its prompt waits for budget

        harness.Step();
        Assert.Null(harness.Step());
        harness.RunUntilIdle();

        Assert.Equal(FinishReason.Error, CoreHarness.Drain(early).Reasons[0]);
        Assert.Equal(FinishReason.Error, CoreHarness.Drain(late).Reasons[0]);
        var failure = Assert.Single(log.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, failure.Level);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        var after = harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(3, 5), 2));
        harness.RunUntilIdle();
        Assert.Equal(FinishReason.Length, CoreHarness.Drain(after).Reasons[0]);
    }

    [Fact]
    public void Abort_RunningRequest_FreesItsBlocksAndEndsEveryChoice()
    {
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64);
        var state = new RequestState("req-x", 0, CoreHarness.Greedy(CoreHarness.Prompt(1, 9), 50, choices: 3), 0, default);
        var handle = state.CreateHandle();
        harness.Core.Admit(state);
        harness.Step();

        harness.Core.Abort(state, FinishReason.Cancelled);

        Assert.All(CoreHarness.Drain(handle, 3).Reasons, r => Assert.Equal(FinishReason.Cancelled, r));
        Assert.False(harness.Core.HasWork);
        Assert.Equal(0, harness.Core.Cache.UsedBlocks);
        harness.Core.Scheduler.CheckIntegrity();
    }

    [Fact]
    public void Keys_OfAServedPrompt_AreWhatAnIdentityBuiltElsewhereDerives()
    {
        var tier = new FakeTier("disk", TierWrites.WriteThrough);
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 32, budget: 64,
            tiers: identity => new KvTierList([tier], new FakeBlockMemory(4), new ManualClock(), TaskScheduler.Default, () => { }));
        var prompt = CoreHarness.Prompt(3, 13);

        harness.Submit(CoreHarness.Greedy(prompt, 1) with { Tenant = "acme", CacheSalt = "s1" });
        harness.RunUntilIdle();

        // What a router in another process computes from the model fingerprint, the KV type and the block size.
        var router = new CacheIdentity(new byte[32], KvDataType.F16, 4);
        Assert.Equal(router.Keys("acme", "s1", prompt), tier.Stored.Select(s => s.Block.Key));
        Assert.DoesNotContain(router.Keys("other", "s1", prompt)[0], tier.Stored.Select(s => s.Block.Key));
    }

    private (List<StepRecord> Records, List<int[]> Outputs) RunWorkload()
    {
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 40, budget: 32);
        var handles = new List<GenerationHandle>();
        for (var i = 0; i < 6; i++)
        {
            handles.Add(harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(i, 5 + 7 * i), 3 + 2 * i)));
            harness.Step(); // arrivals spread over the steps, each at the virtual time it is submitted
        }
        harness.RunUntilIdle();
        return (harness.Records, handles.Select(h => CoreHarness.Drain(h).Tokens[0]).ToList());
    }
}
