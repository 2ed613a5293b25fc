using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine;
using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.KvCache.Prefix;

namespace Strata.Simulation;

/// <summary>
/// One simulated server: the engine's real core (scheduler, cache coordinator, block manager, prefix index, output
/// processor) built as the engine builds it, around a cost-model runner on the node's own virtual clock. The
/// simulation sets the clock to the event it handles; a step's tokens are stamped with the time the step ends.
/// </summary>
internal sealed class SimNode
{
    private readonly EngineCore _core;
    private readonly VirtualClock _clock = new();
    private readonly CostModelRunner _runner;
    private readonly Dictionary<RequestState, Flight> _flights = new(ReferenceEqualityComparer.Instance);
    private readonly int _maxModelLength;
    private long _nextRequest;
    private long _stepEnd;

    public SimNode(int index, StepCost cost, NodeSettings settings, int blockSize, CacheIdentity identity, Action<KvEvent>? kvEvents)
    {
        Index = index;
        var options = new EngineOptions
        {
            BlockSize = blockSize,
            MaxSequences = settings.MaxSequences,
            MaxBatchedTokens = settings.MaxBatchedTokens,
            PrefixCaching = settings.PrefixCaching,
        };
        // As the engine builder does: a sequence must always fit alone, or preemption could never make room for it.
        _maxModelLength = Math.Min(settings.MaxModelLength, settings.KvBlocks * blockSize);
        CostModelRunner? runner = null;
        _core = EngineBuilder.BuildCore(options, settings.KvBlocks, settings.MaxBatchedTokens, _maxModelLength, identity, tiers: null, tokenizer: null,
            outputs => runner = new CostModelRunner(_clock, cost, outputs), _clock, NullLogger.Instance, kvEvents);
        _runner = runner!;
    }

    public int Index { get; }

    /// <summary>Whether a step is under way (the simulation holds the event of its end).</summary>
    public bool Busy { get; set; }

    /// <summary>Requests admitted and not finished.</summary>
    public int InFlight => _flights.Count;

    /// <summary>Prompt tokens of admitted requests that have no first token yet: the prefill work queued here.</summary>
    public long PendingPromptTokens { get; private set; }

    public long Steps => _core.Steps;

    public long AdmittedPromptTokens => _core.Cache.AdmittedPromptTokens;

    public long CachedPromptTokens => _core.Cache.CachedPromptTokens;

    public long Preemptions => _core.Scheduler.Preemptions;

    /// <summary>Queues a request at <paramref name="now"/>; a prompt that cannot fit the context fails at once, as the server refuses it.</summary>
    public RequestOutcome? Admit(SimRequest request, long now)
    {
        if (request.Prompt.Length >= _maxModelLength)
            return RequestOutcome.Failure(request, Index, $"prompt of {request.Prompt.Length} tokens leaves no room in the {_maxModelLength}-token context");
        _clock.Ticks = now;
        var generation = new GenerationRequest
        {
            PromptTokens = request.Prompt,
            Sampling = new SamplingParams { Temperature = 0, MaxTokens = request.MaxTokens, IgnoreEos = true },
        };
        var state = new RequestState($"sim-{Index}-{++_nextRequest}", now, generation, 0, default);
        var handle = state.CreateHandle();
        _core.Admit(state);
        _flights.Add(state, new Flight(request, handle, now));
        PendingPromptTokens += request.Prompt.Length;
        return null;
    }

    /// <summary>
    /// Runs one step from <paramref name="now"/>; returns when it ends, or null when nothing was runnable. The core has
    /// applied the step at once, but what the requests see of it waits for <see cref="EndStep"/> at that time.
    /// </summary>
    public long? Step(long now)
    {
        _clock.Ticks = now;
        if (_core.Step() is null)
            return null;
        _stepEnd = _clock.Ticks;
        return _stepEnd;
    }

    /// <summary>Delivers the last step's tokens to its requests, stamped with the step's end; finished requests go to <paramref name="finished"/>.</summary>
    public void EndStep(List<RequestOutcome> finished)
    {
        foreach (var state in _runner.Touched)
        {
            if (!_flights.TryGetValue(state, out var flight))
                continue;
            var done = flight.Drain(_stepEnd, out var started);
            if (started)
                PendingPromptTokens -= flight.Request.Prompt.Length;
            if (!done)
                continue;
            _flights.Remove(state);
            finished.Add(flight.Outcome(Index));
        }
    }

    public bool HasWork => _core.HasWork;

    /// <summary>Requests still in flight, as failures (a simulation that ended with work left).</summary>
    public IEnumerable<RequestOutcome> Unfinished(string reason) => _flights.Values.Select(f => RequestOutcome.Failure(f.Request, Index, reason));
}
