using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.KvCache.Prefix;

namespace Strata.Router.Nodes;

/// <summary>One node as the router sees it: whether it answers, what it holds and what the router has sent it.</summary>
internal sealed class ClusterMember(Uri baseAddress)
{
    private int _activeRequests;
    private long _activeBlocks;
    private long _requests;
    private readonly int[] _tierRequests = new int[Tiers.Count];
    private readonly long[] _tierBlocks = new long[Tiers.Count];

    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>The node as a metric label: <c>host:port</c>.</summary>
    public string Name { get; } = baseAddress.Authority;

    /// <summary>Found in the registry (not given with <c>--node</c>): it leaves when its record does.</summary>
    public bool Registered { get; init; }

    /// <summary>Its identity checked and its KV event stream open; a node that is not is tried only when no other is.</summary>
    public bool Reachable { get; set; }

    /// <summary>As the node reports it: <c>both</c>, <c>prefill</c> or <c>decode</c>.</summary>
    public string Role { get; set; } = "both";

    /// <summary>How the node derives block keys; null until its identity was read and checked.</summary>
    public CacheIdentity? Identity { get; set; }

    public NodeBlocks Blocks { get; } = new();

    public int ActiveRequests => Volatile.Read(ref _activeRequests);

    /// <summary>The new blocks of the requests in flight on the node (prompt and expected output, less the prefix it held), as the router sent them.</summary>
    public long ActiveBlocks => Interlocked.Read(ref _activeBlocks);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// The node's load as a request of <paramref name="tier"/> meets it: the requests in flight in that tier and those
    /// above it, and their blocks. A node serves higher tiers first and preempts lower ones for them, so what the tiers
    /// below hold there is headroom the request may take.
    /// </summary>
    public (int Requests, long Blocks) LoadFor(ServiceTier tier)
    {
        var (requests, blocks) = (0, 0L);
        for (var rank = 0; rank <= (int)tier; rank++)
        {
            requests += Volatile.Read(ref _tierRequests[rank]);
            blocks += Interlocked.Read(ref _tierBlocks[rank]);
        }
        return (requests, blocks);
    }

    public void Begin(int blocks, ServiceTier tier = ServiceTier.Default)
    {
        Interlocked.Increment(ref _activeRequests);
        Interlocked.Add(ref _activeBlocks, blocks);
        Interlocked.Increment(ref _tierRequests[(int)tier]);
        Interlocked.Add(ref _tierBlocks[(int)tier], blocks);
        Interlocked.Increment(ref _requests);
    }

    public void End(int blocks, ServiceTier tier = ServiceTier.Default)
    {
        Interlocked.Decrement(ref _activeRequests);
        Interlocked.Add(ref _activeBlocks, -blocks);
        Interlocked.Decrement(ref _tierRequests[(int)tier]);
        Interlocked.Add(ref _tierBlocks[(int)tier], -blocks);
    }
}
