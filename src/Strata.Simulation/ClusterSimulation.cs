using Strata.KvCache;
using Strata.KvCache.Prefix;
using Strata.Simulation.Routing;

namespace Strata.Simulation;

/// <summary>
/// A discrete-event simulation of a cluster of colocated nodes, each the engine's real core on a cost model. Two kinds
/// of event, in time order: a request arrives (the router picks a node, which admits it and starts a step if it was
/// idle), and a node's step ends (it starts the next one if it has work). Arrivals at the same instant as a step's end
/// come first, as a request that reached the server is admitted before the next step. Time is virtual throughout.
/// </summary>
internal sealed class ClusterSimulation
{
    private readonly List<SimNode> _nodes = [];
    private readonly IRouter _router;

    /// <param name="cost">Step times; the profile's cost law unless given (a recorded run's times, to replay it).</param>
    public ClusterSimulation(StepProfile profile, ClusterSettings settings, StepCost? cost = null)
    {
        cost ??= profile.Cost.Seconds;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Nodes);
        // Every node serves the same model, so one identity derives every node's block keys, as a router derives them.
        var identity = new CacheIdentity(new byte[32], KvDataType.F16, profile.BlockSize);
        var holders = settings.Router == RouterPolicy.KvAware ? new BlockHolders() : null;
        for (var i = 0; i < settings.Nodes; i++)
        {
            var index = i;
            _nodes.Add(new SimNode(i, cost, settings.Node, profile.BlockSize, identity, holders is null ? null : e => holders.Apply(index, e)));
        }
        _router = holders is null ? new RoundRobinRouter() : new KvAwareRouter(identity, holders, profile.Cost);
    }

    public IReadOnlyList<SimNode> Nodes => _nodes;

    /// <param name="workload">The requests in arrival order, read as the simulation reaches them (a long run need not hold them all).</param>
    public SimulationResult Run(IEnumerable<SimRequest> workload)
    {
        using var requests = workload.GetEnumerator();
        var outcomes = new List<RequestOutcome>();
        var stepEnds = new PriorityQueue<SimNode, long>();
        long first = -1, last = 0;
        var pending = requests.MoveNext() ? requests.Current : null;
        while (pending is not null || stepEnds.Count > 0)
        {
            SimNode node;
            long now;
            if (pending is not null && (!stepEnds.TryPeek(out _, out var stepEnd) || VirtualClock.ToTicks(pending.ArrivalSeconds) <= stepEnd))
            {
                var request = pending;
                now = VirtualClock.ToTicks(request.ArrivalSeconds);
                pending = requests.MoveNext() ? requests.Current : null;
                if (pending is not null && pending.ArrivalSeconds < request.ArrivalSeconds)
                    throw new ArgumentException($"the workload's arrivals must be in time order ({pending.ArrivalSeconds} s after {request.ArrivalSeconds} s)", nameof(workload));
                if (first < 0)
                    first = now;
                node = _router.Route(request, _nodes);
                if (node.Admit(request, now) is { } refused)
                {
                    outcomes.Add(refused);
                    continue;
                }
                if (node.Busy)
                    continue;
            }
            else
            {
                stepEnds.TryDequeue(out node!, out now);
                node.EndStep(outcomes);
                node.Busy = false;
            }
            if (node.Step(now) is { } end)
            {
                node.Busy = true;
                stepEnds.Enqueue(node, end);
                last = Math.Max(last, end);
            }
        }
        foreach (var node in _nodes)
            outcomes.AddRange(node.Unfinished("the simulation ended with the request unfinished (nothing was runnable)"));
        outcomes.Sort((a, b) => a.ArrivalSeconds.CompareTo(b.ArrivalSeconds));
        return new SimulationResult(outcomes, VirtualClock.ToSeconds(Math.Max(0, last - Math.Max(0, first))),
            _nodes.Sum(n => n.Steps), _nodes.Sum(n => n.AdmittedPromptTokens), _nodes.Sum(n => n.CachedPromptTokens), _nodes.Sum(n => n.Preemptions));
    }
}
