using Strata.Engine;
using Strata.Models;
using Strata.Simulation.Routing;

namespace Strata.Simulation.Profiling;

/// <summary>
/// Real engines behind a router, as the measured side of a cluster validation: requests come in waves, each arriving at
/// once when every node has finished the last. At a wave's start the router places each request by the nodes' load and
/// the blocks their KV events announced (the simulation's routers, over real engines); then every node runs its share
/// (<see cref="MeasuredRun"/>) on a thread of its own, on the wall clock, its steps recorded node by node.
/// </summary>
internal sealed class MeasuredCluster : IDisposable
{
    private readonly Node[] _nodes;
    private readonly IRouter _router;

    /// <param name="load">Loads the model, once per node (the cluster owns them): a model's forward pass keeps its scratch buffers, so nodes stepping at once need one each.</param>
    /// <param name="routingCost">The cost law a KV-aware router ranks nodes by (the simulation's profile's).</param>
    public MeasuredCluster(Func<LoadedModel> load, int nodes, EngineOptions options, RouterPolicy policy, CostModel routingCost)
    {
        var holders = new BlockHolders();
        _nodes = [.. Enumerable.Range(0, nodes).Select(i => new Node(i, load(), options, e =>
        {
            // The nodes step on threads of their own; the router reads the holders only between waves.
            lock (holders)
                holders.Apply(i, e);
        }))];
        _router = policy == RouterPolicy.KvAware ? new KvAwareRouter(_nodes[0].Engine.Identity, holders, routingCost, _nodes.Length) : new RoundRobinRouter();
    }

    /// <summary>The settings a simulated node needs to run as these engines do.</summary>
    public NodeSettings Settings => _nodes[0].Engine.Settings;

    /// <summary>
    /// Runs the waves in turn; outcomes carry their request's number (its place in the waves, in order), node and
    /// arrival (its wave's start since the run's), and each node's steps are in the list at its index.
    /// </summary>
    public (List<RequestOutcome> Outcomes, List<StepSample>[] Steps) Run(IReadOnlyList<IReadOnlyList<SimRequest>> waves)
    {
        var clock = TimeProvider.System;
        var start = clock.GetTimestamp();
        var steps = _nodes.Select(_ => new List<StepSample>()).ToArray();
        var outcomes = new List<RequestOutcome>();
        var number = 0;
        foreach (var wave in waves)
        {
            var arrival = clock.GetElapsedTime(start).TotalSeconds;
            foreach (var request in wave)
                _router.Route(request, _nodes).Queue(request with { ArrivalSeconds = arrival }, number++);
            var finished = new List<RequestOutcome>[_nodes.Length];
            Parallel.For(0, _nodes.Length, new ParallelOptions { MaxDegreeOfParallelism = _nodes.Length },
                i => finished[i] = _nodes[i].RunQueued(clock, start, steps[i]));
            outcomes.AddRange(finished.SelectMany(f => f));
        }
        outcomes.Sort((a, b) => a.Number.CompareTo(b.Number));
        return (outcomes, steps);
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
            node.Dispose();
    }

    /// <summary>A real engine as the router sees it: the requests of the wave placed on it, which it has not started.</summary>
    private sealed class Node(int index, LoadedModel model, EngineOptions options, Action<KvEvent> kvEvents) : INodeLoad, IDisposable
    {
        private readonly List<(SimRequest Request, int Number)> _queued = [];

        public int Index { get; } = index;

        public RealEngine Engine { get; } = new(model, options, kvEvents);

        public long PendingPromptTokens { get; private set; }

        public int InFlight => _queued.Count;

        public void Queue(SimRequest request, int number)
        {
            _queued.Add((request, number));
            PendingPromptTokens += request.Prompt.Length;
        }

        /// <summary>Admits the queued requests and steps until they have finished; the node is idle again.</summary>
        public List<RequestOutcome> RunQueued(TimeProvider clock, long start, List<StepSample> steps)
        {
            var outcomes = MeasuredRun.Run(Engine.Core, Index, _queued, clock, start, steps);
            _queued.Clear();
            PendingPromptTokens = 0;
            return outcomes;
        }

        public void Dispose()
        {
            Engine.Dispose();
            model.Dispose();
        }
    }
}
