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
/// <param name="speculator">Proposes drafts for decoding sequences before each step (null: no speculative decoding).</param>
internal sealed class EngineCore(Scheduler scheduler, CacheCoordinator cache, IStepRunner runner, OutputProcessor outputs, TimeProvider clock, ILogger logger,
    Speculator? speculator = null)
{
    private readonly List<RequestState> _active = [];
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
        var caching = new SequenceCaching(cache.Root(r.Tenant, r.CacheSalt), r.Pin, r.CacheTtl);
        Sequence? first = null;
        for (var choice = 0; choice < r.Choices; choice++)
        {
            var sequence = new Sequence(new SequenceId(++_nextSequence), r.PromptTokens, caching, request.Arrival, r.Tier, r.Tenant);
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
    }

    public void AbortAll(FinishReason reason)
    {
        foreach (var request in _active)
            outputs.Abort(request, reason);
        _active.Clear();
    }

    /// <summary>Runs one step; null when nothing was runnable (only sequences waiting for cached blocks to load, or none).</summary>
    public StepRecord? Step()
    {
        AbortCancelled();
        cache.ExpireDue();
        speculator?.Propose(_active);
        var plan = scheduler.Schedule();
        if (plan.IsEmpty)
            return null;
        var started = clock.GetTimestamp();
        StepResult result;
        try
        {
            result = runner.Run(plan);
        }
        catch (Exception ex)
        {
            var failed = plan.Chunks.Select(c => outputs[c.Sequence.Id].Request).Distinct().ToList();
            logger.LogError(ex, "Engine step failed; its {Requests} requests end with an error", failed.Count);
            foreach (var request in failed)
                Abort(request, FinishReason.Error);
            return null;
        }
        var record = Describe(plan, result, started);
        scheduler.Commit(plan, result);
        speculator?.Verified(plan, record);
        outputs.Process(result);
        _active.RemoveAll(r => r.UnfinishedChoices == 0);
        Steps++;
        PeakRunningSequences = Math.Max(PeakRunningSequences, scheduler.RunningCount);
        GeneratedTokens += result.Tokens.Count;
        PromptTokensComputed += record.PrefillTokens;
        return record;
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

    /// <summary>The step's record, taken before its tokens are committed (a decode is still one known token then).</summary>
    private StepRecord Describe(SchedulerPlan plan, StepResult result, long started)
    {
        int prefill = 0, decodes = 0, drafts = 0;
        long context = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.IsDecode)
                decodes++;
            else
                prefill += chunk.Count;
            drafts += chunk.Drafts.Count;
            context += chunk.Start + chunk.TokenCount;
        }
        return new StepRecord(Steps + 1, started, clock.GetElapsedTime(started).TotalSeconds, plan.Chunks.Count, prefill, decodes, drafts, context, result.Tokens.Count);
    }
}
