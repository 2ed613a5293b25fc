using Strata.KvCache;
using Strata.KvCache.Prefix;
using Strata.Simulation.Routing;

namespace Strata.Simulation;

/// <summary>
/// A discrete-event simulation of a cluster of colocated nodes, each the engine's real core on a cost model. Two kinds
/// of event, in time order: a request arrives (the router picks a node, which admits it and starts a step if it was
/// idle), and a node's event comes (a step's end, after which it starts the next step if it has work, or a decode
/// run's end). Arrivals at the same instant as a node's event come first, as a request that reached the server is
/// admitted before the next step. Time is virtual throughout.
/// </summary>
internal sealed class ClusterSimulation
{
    private readonly List<SimNode> _nodes = [];
    private readonly SimNode[] _serving;
    private readonly IRouter _router;
    private readonly PrefillHandoffs? _handoffs;
    private readonly List<RequestOutcome> _legs = [];
    private readonly long _requestOverhead;
    private readonly CacheIdentity? _keys;
    private readonly NodeLane[]? _lanes;

    /// <param name="nodeCosts">Each node's step times by its index; the profile's (cost law and the server's time per token) unless given (a recorded cluster's times, node by node, to replay it).</param>
    public ClusterSimulation(StepProfile profile, ClusterSettings settings, Func<int, StepCost>? nodeCosts = null)
    {
        // Runs plan steps ahead, which a pure cost law allows; a recorded run's times are consumed one per step.
        var runs = nodeCosts is null && settings.Runs;
        nodeCosts ??= _ => profile.StepSeconds;
        _requestOverhead = VirtualClock.ToTicks(profile.ServerOverhead.RequestSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Nodes);
        var disaggregation = settings.Disaggregation;
        if (disaggregation is not null)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(disaggregation.PrefillNodes);
        var total = settings.Nodes + (disaggregation?.PrefillNodes ?? 0);
        // Every node serves the same model, so one identity derives every node's block keys, as a router derives them.
        var identity = new CacheIdentity(new byte[32], KvDataType.F16, profile.BlockSize);
        // A disaggregating router always knows the decode nodes' blocks: its threshold counts what they would compute.
        var holders = settings.Router == RouterPolicy.KvAware || disaggregation is not null ? new BlockHolders() : null;
        var law = profile.Cost;
        var calibration = new Engine.Control.StepCost(law.FixedSeconds + profile.ServerOverhead.StepSeconds, law.PrefillTokenSeconds, law.DecodeSequenceSeconds + profile.ServerOverhead.TokenSeconds, law.ContextTokenSeconds);
        // Decode (or colocated) nodes first, then prefill nodes.
        for (var i = 0; i < total; i++)
        {
            var index = i;
            _nodes.Add(new SimNode(i, nodeCosts(i), settings.Node, profile.BlockSize, identity, holders is null ? null : e => holders.Apply(index, e), runs,
                receivesHandoffs: disaggregation is not null && i < settings.Nodes, calibration));
        }
        _serving = [.. _nodes.Take(settings.Nodes)];
        _router = Router(settings.Router, identity, holders, profile.Cost, total);
        if (disaggregation is not null)
            _handoffs = new PrefillHandoffs(disaggregation, _nodes[settings.Nodes..], Router(settings.Router, identity, holders, profile.Cost, total), holders!, identity, _requestOverhead);
        _keys = settings.Node.PrefixCaching && settings.PrepareKeys ? identity : null;
        // Round-robin routing reads no node state and colocated nodes share nothing, so between arrivals they can advance
        // on several threads (a cost law only: a recorded run's times are consumed in the one thread's order).
        var workers = Math.Min(settings.Workers > 0 ? settings.Workers : Environment.ProcessorCount, settings.Nodes);
        if (workers > 1 && runs && settings.Router == RouterPolicy.RoundRobin && disaggregation is null)
            _lanes = [.. Enumerable.Range(0, workers).Select(_ => new NodeLane())];
    }

    public IReadOnlyList<SimNode> Nodes => _nodes;

    /// <summary>Prompts computed on prefill nodes and the blocks handed to decode nodes (0 for colocated nodes).</summary>
    public (long Prompts, long Blocks) Handoffs => _handoffs is null ? (0, 0) : (_handoffs.Sent, _handoffs.TransferredBlocks);

    /// <param name="workload">The requests in arrival order, read as the simulation reaches them (a long run need not hold them all).</param>
    public SimulationResult Run(IEnumerable<SimRequest> workload)
    {
        using var prepared = new PreparedWorkload(workload, _keys);
        using var requests = prepared.Requests().GetEnumerator();
        var (outcomes, first) = _lanes is null ? RunOnOneThread(requests) : RunInLanes(requests, _lanes);
        foreach (var node in _nodes)
            outcomes.AddRange(node.Unfinished("the simulation ended with the request unfinished (nothing was runnable)"));
        outcomes.Sort((a, b) => a.Number.CompareTo(b.Number));
        var last = _nodes.Max(n => n.LastStepEnd);
        return new SimulationResult(outcomes, VirtualClock.ToSeconds(Math.Max(0, last - Math.Max(0, first))),
            _nodes.Sum(n => n.Steps), _nodes.Sum(n => n.RunSteps), _nodes.Sum(n => n.AdmittedPromptTokens), _nodes.Sum(n => n.CachedPromptTokens), _nodes.Sum(n => n.Preemptions));
    }

    /// <summary>
    /// Routes the requests a window at a time and lets each lane (node <c>i</c> belongs to lane <c>i mod lanes</c>) admit
    /// its share and run its nodes up to the next window's first request, the lanes in parallel. No lane waits for
    /// another within a window, since nothing a node does reaches another node or the router.
    /// </summary>
    private (List<RequestOutcome> Outcomes, long First) RunInLanes(IEnumerator<PreparedRequest> requests, NodeLane[] lanes)
    {
        const int Window = 1024;
        long first = -1;
        var number = 0;
        var previous = double.NegativeInfinity;
        var more = requests.MoveNext();
        while (more)
        {
            for (var routed = 0; routed < Window && more; routed++, more = requests.MoveNext())
            {
                var request = requests.Current.Request;
                if (request.ArrivalSeconds < previous)
                    throw new ArgumentException($"the workload's arrivals must be in time order ({request.ArrivalSeconds} s after {previous} s)", "workload");
                previous = request.ArrivalSeconds;
                var arrived = VirtualClock.ToTicks(request.ArrivalSeconds);
                if (first < 0)
                    first = arrived;
                var node = _router.Route(request, _serving);
                lanes[node.Index % lanes.Length].Route(node, requests.Current, number++, arrived, arrived + _requestOverhead);
            }
            var horizon = more ? VirtualClock.ToTicks(requests.Current.Request.ArrivalSeconds) + _requestOverhead : long.MaxValue;
            Parallel.ForEach(lanes, new ParallelOptions { MaxDegreeOfParallelism = lanes.Length }, lane => lane.AdvanceTo(horizon));
        }
        return ([.. lanes.SelectMany(l => l.Outcomes)], first);
    }

    /// <summary>The simulation's events one at a time, in time order, for any topology and router.</summary>
    private (List<RequestOutcome> Outcomes, long First) RunOnOneThread(IEnumerator<PreparedRequest> requests)
    {
        var outcomes = new List<RequestOutcome>();
        // Node events by time; an entry is stale once its node's next event has moved (a request interrupted its decode run).
        var events = new PriorityQueue<SimNode, long>();
        long first = -1;
        var number = 0;
        PreparedRequest? pending = requests.MoveNext() ? requests.Current : null;
        while (pending is not null || events.Count > 0 || _handoffs?.Count > 0)
        {
            var nextNode = events.TryPeek(out _, out var next) ? next : long.MaxValue;
            var nextHandoff = _handoffs?.Next ?? long.MaxValue;
            // A request reaches its node's engine after the server's time per request (the same for all, so the order holds).
            if (pending is { } ready && VirtualClock.ToTicks(ready.Request.ArrivalSeconds) + _requestOverhead <= Math.Min(nextNode, nextHandoff))
            {
                var request = ready.Request;
                var arrived = VirtualClock.ToTicks(request.ArrivalSeconds);
                var now = arrived + _requestOverhead;
                pending = requests.MoveNext() ? requests.Current : null;
                if (pending is { } after && after.Request.ArrivalSeconds < request.ArrivalSeconds)
                    throw new ArgumentException($"the workload's arrivals must be in time order ({after.Request.ArrivalSeconds} s after {request.ArrivalSeconds} s)", "workload");
                if (first < 0)
                    first = arrived;
                var node = _router.Route(request, _serving);
                if (_handoffs is not null && _handoffs.Disaggregates(request, node))
                    Admit(_handoffs.Route(request, number, node, arrived), request with { MaxTokens = 1 }, ready.Keys, number++, arrived, now, null);
                else
                    Admit(node, request, ready.Keys, number++, arrived, now, null);
                continue;
            }
            if (nextHandoff <= nextNode)
            {
                var handoff = _handoffs!.Take();
                Admit(handoff.Decode, handoff.Request, null, handoff.Number, handoff.Arrived, nextHandoff, handoff.Blocks);
                continue;
            }
            events.TryDequeue(out var due, out var time);
            if (due!.NextEvent != time)
                continue;
            if (_handoffs is not null && due.Index >= _serving.Length)
            {
                due.Advance(time, _legs);
                foreach (var leg in _legs)
                    _handoffs.Computed(leg, outcomes);
                _legs.Clear();
            }
            else
            {
                due.Advance(time, outcomes);
            }
            if (due.NextEvent != SimNode.Idle)
                events.Enqueue(due, due.NextEvent);
        }
        return (outcomes, first);

        void Admit(SimNode node, SimRequest request, IReadOnlyList<BlockKey>? keys, int number, long arrived, long now, IReadOnlyList<CachedBlock>? handedOff)
        {
            var before = node.NextEvent;
            if (node.Admit(request, keys, number, arrived, now, handedOff) is { } refused)
                outcomes.Add(refused);
            else if (node.NextEvent != before && node.NextEvent != SimNode.Idle)
                events.Enqueue(node, node.NextEvent);
        }
    }

    private static IRouter Router(RouterPolicy policy, CacheIdentity identity, BlockHolders? holders, CostModel cost, int nodes) =>
        policy == RouterPolicy.KvAware ? new KvAwareRouter(identity, holders!, cost, nodes) : new RoundRobinRouter();
}
