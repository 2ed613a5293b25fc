namespace Strata.Simulation;

/// <summary>
/// A share of a cluster's nodes that one thread advances: the requests routed to them and their events, merged in time
/// order as the one-thread simulation orders them (a request reaching a node comes before that node's event at the same
/// instant), up to a horizon the simulation sets. Lanes share nothing — the simulation uses them only when routing
/// reads no node state and nodes publish nothing to each other — so they run in parallel with the results of one thread.
/// </summary>
internal sealed class NodeLane
{
    private readonly PriorityQueue<SimNode, long> _events = new();
    private readonly Queue<Arrival> _arrivals = new();

    /// <summary>The outcomes of its nodes' requests so far, in no particular order.</summary>
    public List<RequestOutcome> Outcomes { get; } = [];

    /// <summary>Queues a request for <paramref name="node"/> (one of this lane's), reaching its engine at <paramref name="now"/>; requests come in time order.</summary>
    public void Route(SimNode node, PreparedRequest request, int number, long arrived, long now) =>
        _arrivals.Enqueue(new Arrival(node, request, number, arrived, now));

    /// <summary>Admits every queued request and handles its nodes' events due before <paramref name="horizon"/>, in time order.</summary>
    public void AdvanceTo(long horizon)
    {
        while (true)
        {
            var nextNode = _events.TryPeek(out _, out var next) ? next : long.MaxValue;
            if (_arrivals.TryPeek(out var arrival) && arrival.Now <= nextNode)
            {
                _arrivals.Dequeue();
                Admit(arrival);
                continue;
            }
            if (nextNode >= horizon)
                return;
            _events.TryDequeue(out var due, out var time);
            // An entry is stale once its node's next event has moved (a request interrupted its decode run).
            if (due!.NextEvent != time)
                continue;
            due.Advance(time, Outcomes);
            if (due.NextEvent != SimNode.Idle)
                _events.Enqueue(due, due.NextEvent);
        }
    }

    private void Admit(in Arrival arrival)
    {
        var node = arrival.Node;
        var before = node.NextEvent;
        if (node.Admit(arrival.Request.Request, arrival.Request.Keys, arrival.Number, arrival.Arrived, arrival.Now) is { } refused)
            Outcomes.Add(refused);
        else if (node.NextEvent != before && node.NextEvent != SimNode.Idle)
            _events.Enqueue(node, node.NextEvent);
    }

    private readonly record struct Arrival(SimNode Node, PreparedRequest Request, int Number, long Arrived, long Now);
}
