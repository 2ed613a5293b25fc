using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine;
using Strata.Engine.Caching;
using Strata.Engine.Control;
using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.KvCache.Prefix;
using Strata.Simulation.Routing;
using Strata.Simulation.Tiers;

namespace Strata.Simulation;

/// <summary>
/// One simulated server: the engine's real core (scheduler, cache coordinator, block manager, prefix index, output
/// processor) built as the engine builds it, around a cost-model runner on the node's own virtual clock. The
/// simulation calls <see cref="Advance"/> at the node's <see cref="NextEvent"/>; a step's tokens are stamped with the
/// time the step ends. Steps of one fixed composition — that only decode the running sequences (the bulk of a long
/// generation), or that compute a lone prompt's next chunks — are planned as a <see cref="StepRun"/> and applied at
/// once when the node is next needed — at the run's end, or when a request arrives for it during the run — leaving the
/// core exactly as step-by-step simulation would.
/// </summary>
internal sealed class SimNode : INodeLoad
{
    /// <summary>The token every simulated sequence generates; with no tokenizer a choice finishes only by length.</summary>
    public const int Token = 1;

    /// <summary><see cref="NextEvent"/> of a node with nothing to do until a request arrives.</summary>
    public const long Idle = long.MaxValue;

    private readonly EngineCore _core;
    private readonly VirtualClock _clock = new();
    private readonly CostModelRunner _runner;
    private readonly OutputProcessor _outputs;
    private readonly StepCost _cost;
    private readonly bool _decodeRuns;
    private readonly bool _prefillRuns;
    private readonly bool _quietRuns;
    private readonly Dictionary<RequestState, Flight> _flights = new(ReferenceEqualityComparer.Instance);
    private readonly int _maxModelLength;
    private readonly StepRun _run = new();
    private readonly PeerTier? _peer;
    private readonly AdmissionControl? _admission;
    private readonly ResidentBlocks? _resident;
    private readonly Dictionary<RequestState, IReadOnlyList<CachedBlock>> _handedOff = new(ReferenceEqualityComparer.Instance);
    private long _nextRequest;
    private long _stepEnd;

    /// <param name="runs">Whether steps of a fixed composition may be planned as runs (a pure cost law); otherwise every step is simulated alone.</param>
    /// <param name="receivesHandoffs">A decode node of a disaggregated cluster: prompts computed elsewhere arrive in its peer tier.</param>
    /// <param name="calibration">The step law the control plane starts from (the engine's measured prefill), before it fits the node's own steps.</param>
    public SimNode(int index, StepCost cost, NodeSettings settings, int blockSize, CacheIdentity identity, Action<KvEvent>? kvEvents, bool runs,
        bool receivesHandoffs = false, Engine.Control.StepCost? calibration = null)
    {
        Index = index;
        var options = new EngineOptions
        {
            BlockSize = blockSize,
            MaxSequences = settings.MaxSequences,
            MaxBatchedTokens = settings.MaxBatchedTokens,
            PrefixCaching = settings.PrefixCaching,
            ServiceLevels = settings.Levels ?? new ServiceLevels(),
        };
        var costs = new StepCostModel(calibration ?? new Engine.Control.StepCost(0, 0, 0, 0));
        if (options.ServiceLevels.EarlyRejection)
        {
            // As the engine: a predictor over the node's queue and fitted step law, and the working pool's blocks from its KV events.
            _admission = new AdmissionControl(options.ServiceLevels, new ServiceTimePredictor(settings.MaxBatchedTokens, settings.MaxSequences, options.ServiceLevels.TierScheduling), costs, _clock);
            var resident = _resident = new ResidentBlocks(identity);
            var forward = kvEvents;
            kvEvents = e =>
            {
                resident.Observe(e);
                forward?.Invoke(e);
            };
        }
        // As the engine builder does: a sequence must always fit alone, or preemption could never make room for it.
        _maxModelLength = Math.Min(settings.MaxModelLength, settings.KvBlocks * blockSize);
        CostModelRunner? runner = null;
        OutputProcessor? processor = null;
        var tiers = SimTiers.Open(settings, blockSize, receivesHandoffs, _clock, kvEvents, out _peer);
        _core = EngineBuilder.BuildCore(options, settings.KvBlocks, settings.MaxBatchedTokens, _maxModelLength, identity, tiers, tokenizer: null,
            outputs => runner = new CostModelRunner(_clock, cost, processor = outputs), _clock, NullLogger.Instance, kvEvents, costs: costs);
        _runner = runner!;
        _outputs = processor!;
        _cost = cost;
        _decodeRuns = runs;
        // Someone reads this node's KV events: a run's steps must publish none, as they are applied late.
        _quietRuns = kvEvents is not null;
        // A prompt's chunks fill blocks (KV events) and are left out of the fitted step law, which admission control reads.
        _prefillRuns = runs && !_quietRuns && _admission is null;
    }

    public int Index { get; }

    /// <summary>When the simulation must next call <see cref="Advance"/>: a step's end or a decode run's; <see cref="Idle"/> when there is none.</summary>
    public long NextEvent { get; private set; } = Idle;

    /// <summary>When the last step applied so far ended.</summary>
    public long LastStepEnd { get; private set; }

    /// <summary>Requests admitted and not finished.</summary>
    public int InFlight => _flights.Count;

    /// <summary>Prompt tokens of admitted requests that have no first token yet: the prefill work queued here.</summary>
    public long PendingPromptTokens { get; private set; }

    public long Steps => _core.Steps;

    /// <summary>Steps applied at once as parts of decode runs (counted in <see cref="Steps"/> too).</summary>
    public long RunSteps { get; private set; }

    public long AdmittedPromptTokens => _core.Cache.AdmittedPromptTokens;

    public long CachedPromptTokens => _core.Cache.CachedPromptTokens;

    public long Preemptions => _core.Scheduler.Preemptions;

    /// <summary>
    /// Queues a request at <paramref name="now"/> (a decode run under way is first applied up to the step running then,
    /// which the request waits for); a prompt that cannot fit the context fails at once, as the server refuses it. Its
    /// latencies count from <paramref name="arrived"/>, when it reached the server (the server's time per request before).
    /// <paramref name="keys"/> are its prompt's block keys if they were derived ahead (the engine derives them otherwise).
    /// </summary>
    /// <param name="handedOff">A prompt's full blocks a prefill node computed, held in the peer tier until the request ends.</param>
    public RequestOutcome? Admit(SimRequest request, IReadOnlyList<BlockKey>? keys, int number, long arrived, long now, IReadOnlyList<CachedBlock>? handedOff = null)
    {
        if (request.Prompt.Length >= _maxModelLength)
            return RequestOutcome.Failure(request, number, Index, $"prompt of {request.Prompt.Length} tokens leaves no room in the {_maxModelLength}-token context");
        if (_run.Steps > 0)
            InterruptRun(now);
        _clock.Ticks = now;
        if (_admission is not null && Refuses(request))
            return RequestOutcome.Failure(request, number, Index, "predicted to miss its tier's time to first token (429)", refused: true);
        var generation = new GenerationRequest
        {
            PromptTokens = request.Prompt,
            Sampling = new SamplingParams { Temperature = 0, MaxTokens = request.MaxTokens, IgnoreEos = true },
            Tier = request.Tier,
            PromptBlockKeys = keys,
        };
        var state = new RequestState($"sim-{Index}-{++_nextRequest}", now, generation, 0, default);
        var handle = state.CreateHandle();
        if (handedOff is not null)
            HoldHandedOff(state, handedOff);
        _core.Admit(state);
        _flights.Add(state, new Flight(request, number, handle, arrived));
        PendingPromptTokens += request.Prompt.Length;
        if (NextEvent == Idle)
            Start(now);
        return null;
    }

    /// <summary>
    /// Handles the node's event at <paramref name="now"/> (= <see cref="NextEvent"/>): a decode run's end applies the
    /// run and starts the step after it; a step's end delivers its tokens (finished requests go to
    /// <paramref name="finished"/>) and starts the next step or run.
    /// </summary>
    public void Advance(long now, List<RequestOutcome> finished)
    {
        if (_run.Steps > 0)
        {
            ApplyRun(_run.Steps);
            StartStep(now);
            return;
        }
        EndStep(finished);
        Start(now);
    }

    /// <summary>The control plane's early rejection, on this node's queue as it stands and the prompt's uncached part.</summary>
    private bool Refuses(SimRequest request)
    {
        var uncached = request.Prompt.Length - _resident!.CachedTokens("", "", request.Prompt);
        return _admission!.Decide(_core.Queue(), [], request.Tier, uncached, request.MaxTokens).RetryAfter is not null;
    }

    /// <summary>Puts a request's handed-off blocks in the peer tier (as the decode node's hand-off receiver does), where its admission finds them.</summary>
    private void HoldHandedOff(RequestState state, IReadOnlyList<CachedBlock> blocks)
    {
        if (_peer is null)
            throw new InvalidOperationException($"node {Index} does not take KV hand-offs (it is not a decode node)");
        _peer.Offer(blocks.Select(b => (b, _peer.Rent())).ToList(), TimeSpan.Zero);
        _handedOff.Add(state, blocks);
    }

    /// <summary>Requests still in flight, as failures (a simulation that ended with work left).</summary>
    public IEnumerable<RequestOutcome> Unfinished(string reason) =>
        _flights.Values.Select(f => RequestOutcome.Failure(f.Request, f.Number, Index, reason));

    /// <summary>Starts what comes next at <paramref name="now"/>: a run if the core allows one, else one step.</summary>
    private void Start(long now)
    {
        if (_decodeRuns && _core.DecodeRunLength(_quietRuns) is > 0 and var steps)
        {
            PlanRun(now, steps);
            NextEvent = _run.Starts[steps];
            return;
        }
        if (_prefillRuns && _core.PrefillRunLength() is > 0 and var chunks)
        {
            PlanPrefillRun(now, chunks);
            NextEvent = _run.Starts[chunks];
            return;
        }
        StartStep(now);
    }

    /// <summary>Runs one step from <paramref name="now"/>; the core applies it at once, what the requests see of it waits for its end.</summary>
    private void StartStep(long now)
    {
        _clock.Ticks = now;
        // A tier load starts in the step that finds the blocks below and completes at once (inline), as the engine's loop
        // is woken by it: with nothing else runnable, the next step attaches them.
        if (_core.Step() is null && (!_core.HasWork || _core.Step() is null))
        {
            NextEvent = Idle;
            return;
        }
        _stepEnd = _clock.Ticks;
        NextEvent = _stepEnd;
        LastStepEnd = Math.Max(LastStepEnd, _stepEnd);
    }

    /// <summary>Delivers the last step's tokens to its requests, stamped with the step's end; finished requests go to <paramref name="finished"/>.</summary>
    private void EndStep(List<RequestOutcome> finished)
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
            if (_handedOff.Remove(state, out var blocks))
                _peer!.Withdraw(blocks);
            finished.Add(flight.Outcome(Index));
        }
    }

    /// <summary>The start of each of the run's steps and of the step after it, by the cost law: each decodes every running sequence, whose context grows by one.</summary>
    private void PlanRun(long now, int steps)
    {
        _run.Clear();
        long context = 0;
        var running = _core.Scheduler.Running;
        for (var i = 0; i < running.Count; i++)
        {
            var sequence = running[i];
            context += sequence.ComputedCount + 1;
            _run.Flights.Add(_flights[_outputs[sequence.Id].Request]);
        }
        var sequences = _run.Flights.Count;
        var start = now;
        _run.Starts.Add(start);
        for (var t = 0; t < steps; t++)
        {
            start += VirtualClock.ToTicks(_cost(0, sequences, context + (long)sequences * t, 0, 0, 0));
            _run.Starts.Add(start);
        }
        _run.Steps = steps;
    }

    /// <summary>The start of each of the run's steps and of the step after it, by the cost law: each computes a budget's chunk of the one running prompt.</summary>
    private void PlanPrefillRun(long now, int steps)
    {
        _run.Clear();
        var chunk = _core.Scheduler.MaxBatchedTokens;
        long computed = _core.Scheduler.Running[0].ComputedCount;
        var start = now;
        _run.Starts.Add(start);
        for (var t = 0; t < steps; t++)
        {
            // As PlanShape counts a prompt chunk: its whole context read, each new token against it.
            computed += chunk;
            start += VirtualClock.ToTicks(_cost(chunk, 0, computed, PlanShape.ChunkAttention(chunk, computed), 0, 0));
            _run.Starts.Add(start);
        }
        _run.Steps = steps;
        _run.Prefill = true;
    }

    /// <summary>
    /// A request arrives during the run: the steps that started before <paramref name="now"/> happened — all but the
    /// last are applied at once, the last runs as a step, so the node is mid-step as a step-by-step simulation would be.
    /// </summary>
    private void InterruptRun(long now)
    {
        // Arrivals at a step's end come before it, so a step that starts at now has not begun.
        var started = 0;
        while (started < _run.Steps && _run.Starts[started] < now)
            started++;
        var start = _run.Starts[started - 1];
        ApplyRun(started - 1);
        StartStep(start);
    }

    /// <summary>Applies the run's first <paramref name="steps"/> steps to the core and gives their tokens to the requests; the run is over.</summary>
    private void ApplyRun(int steps)
    {
        var starts = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_run.Starts);
        if (_run.Prefill)
            _core.SkipPrefills(starts[..(steps + 1)]);
        else
            _core.SkipDecodes(steps, Token);
        RunSteps += steps;
        var ends = starts.Slice(1, steps);
        foreach (var flight in _run.Flights)
            flight.Receive(ends);
        if (steps > 0)
            LastStepEnd = Math.Max(LastStepEnd, ends[^1]);
        _run.Clear();
    }
}
