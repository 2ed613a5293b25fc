using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strata.KvCache.Remote;

/// <summary>
/// Knows the servers and which one owns each hash slot. It starts from the configured servers (one, or several
/// plain servers sharded client-side) and, in the background after the first operation, asks CLUSTER SLOTS: a
/// cluster answers with its slot ranges, a plain server with an error (then the configured sharding stays). MOVED
/// answers update single slots at once and schedule a full refresh. Nothing here blocks an operation on discovery.
/// </summary>
internal sealed class ClusterRouter : IDisposable
{
    private static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(1);
    private readonly RemoteStoreOptions _options;
    private readonly RemoteCounters _counters;
    private readonly ConcurrentDictionary<RemoteEndpoint, StoreNode> _nodes = new();
    private readonly StoreNode[] _seeds;
    private volatile SlotMap _map;
    private volatile bool _discoveryWanted = true;
    private int _discovering;
    private long _nextDiscovery;

    public ClusterRouter(RemoteStoreOptions options, RemoteCounters counters)
    {
        _options = options;
        _counters = counters;
        _seeds = options.Endpoints.Select(NodeAt).ToArray();
        _map = SlotMap.Sharded(_seeds);
    }

    public bool IsCluster => _map.IsCluster;

    public ICollection<StoreNode> Nodes => _nodes.Values;

    public StoreNode NodeFor(int slot) => _map.Owner(slot);

    public StoreNode NodeAt(RemoteEndpoint endpoint) => _nodes.GetOrAdd(endpoint, CreateNode);

    public void Moved(RedisRedirect redirect)
    {
        _map.Assign(redirect.Slot, NodeAt(redirect.Target));
        _discoveryWanted = true;
    }

    /// <summary>Starts a slot discovery in the background if one is wanted and none ran in the last second.</summary>
    public void DiscoverIfDue()
    {
        if (!_discoveryWanted || Stopwatch.GetTimestamp() < Volatile.Read(ref _nextDiscovery)
            || Interlocked.CompareExchange(ref _discovering, 1, 0) != 0)
            return;
        Volatile.Write(ref _nextDiscovery, Stopwatch.GetTimestamp() + (long)(DiscoveryInterval.TotalSeconds * Stopwatch.Frequency));
        _ = Task.Run(Discover);
    }

    public void Dispose()
    {
        foreach (var node in _nodes.Values)
            node.Dispose();
    }

    private void Discover()
    {
        try
        {
            // Ask the configured servers first, then any node learnt since: one answer is enough.
            foreach (var node in _seeds.Concat(_nodes.Values.Except(_seeds)).ToArray())
            {
                try
                {
                    using var connection = RedisConnection.Open(node.Endpoint, _options);
                    var reply = connection.Execute("CLUSTER", "SLOTS");
                    if (!reply.IsError)
                        _map = SlotMap.FromClusterSlots(reply, node, NodeAt);
                    _discoveryWanted = false;
                    return;
                }
                catch (Exception e) when (StoreNode.IsFailure(e))
                {
                    // This server is unreachable or garbled; the next one may answer, or the next attempt will.
                }
            }
        }
        catch (Exception)
        {
            // A bug here must not surface as an unobserved task exception: count it, and routing stays as it was.
            Interlocked.Increment(ref _counters.Errors);
        }
        finally
        {
            Volatile.Write(ref _discovering, 0);
        }
    }

    private StoreNode CreateNode(RemoteEndpoint endpoint) =>
        new(endpoint, new CircuitBreaker(_options.FailuresToOpen, _options.BreakerBackoff, _options.BreakerMaxBackoff, TimeProvider.System,
            (from, to, reason) => Transitioned(endpoint, from, to, reason)), _options);

    /// <summary>Logs only entering and leaving the outage, not each failed probe in between: one line per outage either way.</summary>
    private void Transitioned(RemoteEndpoint endpoint, BreakerState from, BreakerState to, Exception? reason)
    {
        if (from == BreakerState.Closed && to == BreakerState.Open)
        {
            Interlocked.Increment(ref _counters.BreakerOpenings);
            _options.Log($"remote KV store {endpoint} is unreachable ({reason?.Message}); serving from local tiers meanwhile");
        }
        else if (to == BreakerState.Closed)
        {
            Interlocked.Increment(ref _counters.BreakerClosings);
            _options.Log($"remote KV store {endpoint} is reachable again");
        }
    }
}
