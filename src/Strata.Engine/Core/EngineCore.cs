using Microsoft.Extensions.Logging;
using Strata.Engine.Caching;
using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Scheduling;
using Strata.Engine.Speculation;

namespace Strata.Engine.Core;

/// <summary>
/// The engine as a synchronous machine: requests are admitted, and each <see cref="Step"/> schedules a batch, runs it
/// through the step runner and applies what it produced. It owns no thread, reads time only from the clock it is given
/// and needs no model (the runner may be a cost model), so a simulator can drive it in virtual time; the threaded host
/// (<see cref="InferenceEngine"/>) drives it for the server. Not thread-safe.
/// </summary>
/// <param name="costs">The step cost law, fitted here from every step's whole period (the speculator and admission control read it).</param>
/// <param name="speculator">Proposes drafts for decoding sequences before each step (null: no speculative decoding).</param>
internal sealed class EngineCore(Scheduler scheduler, CacheCoordinator cache, IStepRunner runner, OutputProcessor outputs, TimeProvider clock, ILogger logger,
    StepCostModel costs, Speculator? speculator = null)
{
    // A cached block keeps its sequence's whole token array alive: reserve for a typical output, not for any max_tokens.
    private const int MaxReservedOutput = 1024;

    private readonly List<RequestState> _active = [];
    private readonly StepPeriodObserver _periods = new(costs, clock);
    private readonly SchedulerPlan _skipped = new();
    private long _nextSequence;

    public Scheduler Scheduler => scheduler;

    public CacheCoordinator Cache => cache;

    /// <summary>Sequences queued or running (a request with nothing runnable yet still counts).</summary>
    public bool HasWork => scheduler.HasWork;

    public long Steps { get; private set; }

    /// <summary>Tokens computed by prefill chunks: prompts, and whatever preemption made a sequence recompute.</summary>
    public long PromptTokensComputed { get; private set; }

    public long GeneratedTokens { get; private set; }

    /// <summary>The most sequences running after any step so far (a fork placed over the cap would show here).</summary>
    public int PeakRunningSequences { get; private set; }

    /// <summary>Queues a request: one sequence per choice, the first scheduled at once, the others forking from its prompt.</summary>
    public void Admit(RequestState request)
    {
        var r = request.Request;
        if (r.PromptBlockKeys is { } given && given.Count > r.PromptTokens.Length / cache.BlockSize)
            throw new ArgumentException($"{given.Count} block keys given for a prompt of {r.PromptTokens.Length / cache.BlockSize} full blocks", nameof(request));
        request.Timeline.Clock = clock;
        var caching = new SequenceCaching(cache.Root(r.Tenant, r.CacheSalt), r.Pin, r.CacheTtl);
        // Storage for the prompt and the whole output at once (a generous max_tokens grows it later instead).
        var expectedLength = r.PromptTokens.Length + Math.Min(r.Sampling.MaxTokens, MaxReservedOutput);
        Sequence? first = null;
        for (var choice = 0; choice < r.Choices; choice++)
        {
            var sequence = new Sequence(new SequenceId(++_nextSequence), r.PromptTokens, caching, request.Arrival, r.Tier, r.Tenant, expectedLength);
            // Keys for every full block it is expected to reach, so appending the output's keys never regrows the list.
            sequence.BlockKeys.EnsureCapacity(expectedLength / cache.BlockSize);
            if (r.PromptBlockKeys is { } keys)
                sequence.BlockKeys.AddRange(keys);
            outputs.Open(request, choice, sequence);
            if (first is null)
                first = sequence;
            else
                first.Forks.Add(sequence);
        }
        scheduler.Enqueue(first!);
        _active.Add(request);
    }

    /// <summary>Ends every unfinished choice of a request and frees its blocks.</summary>
    public void Abort(RequestState request, FinishReason reason)
    {
        outputs.Abort(request, reason);
        _active.Remove(request);
        speculator?.Sweep(_active);
    }

    public void AbortAll(FinishReason reason)
    {
        foreach (var request in _active)
            outputs.Abort(request, reason);
        _active.Clear();
        speculator?.Sweep(_active);
    }

    /// <summary>Throws unless the scheduler's blocks (and a draft model's) are consistent with the sequences holding them.</summary>
    public void CheckIntegrity()
    {
        scheduler.CheckIntegrity();
        speculator?.CheckIntegrity();
    }

    /// <summary>Runs one step; null when nothing was runnable (only sequences waiting for cached blocks to load, or none).</summary>
    public StepRecord? Step()
    {
        AbortCancelled();
        cache.ExpireDue();
        speculator?.Propose(_active);
        var plan = scheduler.Schedule();
        if (plan.IsEmpty)
        {
            _periods.Idle();
            return null;
        }
        var started = clock.GetTimestamp();
        StepResult result;
        try
        {
            result = runner.Run(plan);
        }
        catch (Exception ex)
        {
            var failed = plan.Chunks.Select(c => outputs[c.Sequence.Id].Request).Distinct().ToList();
            logger.LogError(ex, "The engine step failed; its {Requests} requests end with an error", failed.Count);
            foreach (var request in failed)
                Abort(request, FinishReason.Error);
            _periods.Idle();
            return null;
        }
        RecordTimelines(plan, started, clock.GetTimestamp());
        var record = Describe(plan, result, started);
        _periods.Stepped(record);
        scheduler.Commit(plan, result);
        speculator?.Verified(plan);
        outputs.Process(result);
        _active.RemoveAll(r => r.UnfinishedChoices == 0);
        speculator?.Sweep(_active);
        Steps++;
        PeakRunningSequences = Math.Max(PeakRunningSequences, scheduler.RunningCount);
        GeneratedTokens += result.Tokens.Count;
        PromptTokensComputed += record.PrefillTokens;
        return record;
    }

    /// <summary>
    /// How many of the coming steps can be applied at once by <see cref="SkipDecodes"/>: steps that would each decode
    /// every running sequence by one token and do nothing else — nothing waits, nothing is cancelled, no drafts, forks,
    /// pins or lower tiers, every running sequence fits the step budget, none finishes in them (only its length can end
    /// it) and their new blocks are free without a preemption. With <paramref name="quiet"/> none of them allocates,
    /// copies or fills a block either, so they publish no KV event while they wait to be applied. 0 when the next step
    /// is not such a decode.
    /// </summary>
    public int DecodeRunLength(bool quiet)
    {
        // Index loops: the running list is read through an interface, whose enumerator a foreach would allocate.
        var running = scheduler.Running;
        if (speculator is not null || scheduler.WaitingCount > 0 || running.Count == 0 || running.Count > scheduler.MaxBatchedTokens
            || cache.Tiers is not null || cache.PinnedBlocks > 0)
            return 0;
        foreach (var request in _active)
        {
            if (request.IsCancelled)
                return 0;
        }
        var steps = int.MaxValue;
        for (var i = 0; i < running.Count; i++)
        {
            var sequence = running[i];
            if (sequence.PendingCount != 1 || sequence.GeneratedCount == 0 || sequence.Drafts.Count > 0 || sequence.Forks.Count > 0
                || outputs.TokensBeforeFinish(sequence.Id) is not { } left)
                return 0;
            // The step that brings its last token finishes it, and is not part of the run.
            steps = Math.Min(steps, left - 1);
            if (quiet)
                steps = Math.Min(steps, cache.QuietGrowth(sequence));
            if (steps == 0)
                return 0;
        }
        // Growth comes from free blocks only, or a step would preempt: the longest run whose blocks fit.
        int low = 0, high = steps;
        while (low < high)
        {
            var mid = low + (high - low + 1) / 2;
            var blocks = 0;
            for (var i = 0; i < running.Count; i++)
                blocks += cache.BlocksToGrow(running[i], mid);
            if (blocks <= cache.FreeBlocks)
                low = mid;
            else
                high = mid - 1;
        }
        return low;
    }

    /// <summary>
    /// Applies the first <paramref name="steps"/> steps of a decode run (at most <see cref="DecodeRunLength"/>) exactly
    /// as that many calls of <see cref="Step"/> would leave the core, each giving every running sequence
    /// <paramref name="token"/>, except that the tokens are not published: the caller accounts for them (a simulator,
    /// which knows when each step ended). Work per step is a few counters per sequence; blocks are touched only where
    /// a step would touch them.
    /// </summary>
    public void SkipDecodes(int steps, int token)
    {
        if (steps <= 0)
            return;
        var running = scheduler.Running;
        var blockSize = cache.BlockSize;
        for (var i = 0; i < running.Count; i++)
        {
            var sequence = running[i];
            for (var t = 0; t < steps; t++)
                sequence.Append(token);
            outputs.Skip(sequence.Id, steps);
        }
        for (var t = 0; t < steps; t++)
        {
            // As a step does: every sequence grows (in the scheduler's order), then every one commits.
            for (var i = 0; i < running.Count; i++)
            {
                var sequence = running[i];
                if (t == 0 || sequence.ComputedCount % blockSize == 0)
                    cache.Grow(sequence, 1, _skipped);
            }
            for (var i = 0; i < running.Count; i++)
            {
                var sequence = running[i];
                cache.Commit(sequence, sequence.ComputedCount, sequence.ComputedCount + 1);
            }
        }
        _skipped.Clear();
        Steps += steps;
        GeneratedTokens += (long)steps * running.Count;
    }

    /// <summary>
    /// How many of the coming steps can be applied at once by <see cref="SkipPrefills"/>: steps that would each compute
    /// a full budget's chunk of the one running sequence's prompt and do nothing else — nothing waits, nothing is
    /// cancelled, no drafts, forks, pins, leases or lower tiers, the chunk does not reach the prompt's end (the chunk
    /// that does yields a token, and is not part of the run) and the new blocks are free without a preemption. Every
    /// such step fills blocks, so its KV events would be published late: not for a node whose events are read.
    /// 0 when the next step is not such a chunk.
    /// </summary>
    public int PrefillRunLength()
    {
        var running = scheduler.Running;
        var budget = scheduler.MaxBatchedTokens;
        if (speculator is not null || scheduler.WaitingCount > 0 || running.Count != 1 || cache.Tiers is not null || cache.PinnedBlocks > 0
            || cache.Leases.Held > 0)
            return 0;
        var sequence = running[0];
        if (sequence.PendingCount <= budget || sequence.Drafts.Count > 0 || sequence.Forks.Count > 0)
            return 0;
        foreach (var request in _active)
        {
            if (request.IsCancelled)
                return 0;
        }
        // Growth comes from free blocks only, or a step would preempt: the longest run whose blocks fit.
        int low = 0, high = (sequence.PendingCount - 1) / budget;
        while (low < high)
        {
            var mid = low + (high - low + 1) / 2;
            if (cache.BlocksToGrow(sequence, mid * budget) <= cache.FreeBlocks)
                low = mid;
            else
                high = mid - 1;
        }
        return low;
    }

    /// <summary>
    /// Applies the first <c>starts.Length - 1</c> steps of a prefill run (at most <see cref="PrefillRunLength"/>) exactly
    /// as that many calls of <see cref="Step"/> would leave the core: each grows the running sequence by a budget's chunk
    /// and commits it, registering the blocks it fills. Step <c>t</c> ran from <paramref name="starts"/>[t] to
    /// [t + 1] (the caller's clock: a simulator's), as the request's timeline records. Like <see cref="SkipDecodes"/>,
    /// the steps are not fed to the fitted cost law.
    /// </summary>
    public void SkipPrefills(ReadOnlySpan<long> starts)
    {
        var steps = starts.Length - 1;
        if (steps <= 0)
            return;
        var sequence = scheduler.Running[0];
        var budget = scheduler.MaxBatchedTokens;
        var output = outputs[sequence.Id];
        for (var t = 0; t < steps; t++)
        {
            var start = sequence.ComputedCount;
            cache.Grow(sequence, budget, _skipped);
            cache.Commit(sequence, start, start + budget);
            if (output.Choice == 0)
                output.Request.Timeline.OnPrefill(starts[t], starts[t + 1], budget);
        }
        _skipped.Clear();
        Steps += steps;
        PromptTokensComputed += (long)steps * budget;
    }

    /// <summary>The engine's counters now; the host adds what only it knows (requests not yet admitted, the tiers).</summary>
    public EngineStats Snapshot() => new()
    {
        RunningSequences = scheduler.RunningCount,
        PeakRunningSequences = PeakRunningSequences,
        WaitingSequences = scheduler.WaitingCount,
        KvBlocksUsed = cache.UsedBlocks,
        KvBlocksFree = cache.FreeBlocks,
        Preemptions = scheduler.Preemptions,
        PromptTokensComputed = PromptTokensComputed,
        GeneratedTokens = GeneratedTokens,
        Steps = Steps,
        AdmittedPromptTokens = cache.AdmittedPromptTokens,
        CachedPromptTokens = cache.CachedPromptTokens,
        CachedBlocks = cache.CachedBlocks,
        CacheEvictions = cache.Evictions,
        Prefetches = cache.Tiers?.Prefetches ?? 0,
        PrefetchSeconds = cache.Tiers?.PrefetchSeconds ?? 0,
        Speculation = speculator?.Stats,
        Leases = new LeaseStats(cache.Leases.Held, cache.Leases.HeldBlocks, cache.Leases.Granted, cache.Leases.Pulled, cache.Leases.Expired),
    };

    /// <summary>What every sequence still asks of the engine, running and waiting, in service order (for predictions).</summary>
    public QueueSnapshot Queue() => new(scheduler.Running.Select(Load).ToArray(), scheduler.Waiting.Select(Load).ToArray());

    private SequenceLoad Load(Sequence sequence)
    {
        var decoding = sequence.GeneratedCount > 0 && sequence.PendingCount == 1;
        var remaining = outputs[sequence.Id].Request.Request.Sampling.MaxTokens - sequence.GeneratedCount;
        return new SequenceLoad(sequence.Tier, sequence.PendingCount, remaining, sequence.Length, decoding, sequence.Tenant);
    }

    private void AbortCancelled()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (!_active[i].IsCancelled)
                continue;
            outputs.Abort(_active[i], FinishReason.Cancelled);
            _active.RemoveAt(i);
        }
    }

    /// <summary>
    /// Notes the step in the timeline of each request it ran: admissions (with the prefix match and any tier load they
    /// waited for) for every choice, prefill chunks and decode steps by the request's first choice only.
    /// </summary>
    private void RecordTimelines(SchedulerPlan plan, long started, long finished)
    {
        foreach (var (sequence, match) in plan.Admissions)
        {
            var timeline = outputs[sequence.Id].Request.Timeline;
            if (match.Load is { } load)
                timeline.OnTierLoad(load.Started, started, match.Loaded.Count, match.Loaded.Count > 0 ? match.Loaded[0].Tier : null);
            if (timeline.Admitted is null)
                timeline.OnAdmitted(started, match.Start, match.Cached.Count, match.Loaded.Count);
        }
        foreach (var chunk in plan.Chunks)
        {
            var output = outputs[chunk.Sequence.Id];
            if (output.Choice != 0)
                continue;
            if (chunk.IsDecode)
                output.Request.Timeline.OnDecode(started, finished);
            else
                output.Request.Timeline.OnPrefill(started, finished, chunk.Count);
        }
    }

    /// <summary>The step's record, taken before its tokens are committed (a decode is still one known token then).</summary>
    private StepRecord Describe(SchedulerPlan plan, StepResult result, long started)
    {
        var shape = PlanShape.Of(plan);
        return new StepRecord(Steps + 1, started, clock.GetElapsedTime(started).TotalSeconds, plan.Chunks.Count, shape.PrefillTokens, shape.DecodeSequences,
            shape.DraftTokens, shape.ContextTokens, result.Tokens.Count, shape.PrefillAttention);
    }
}
