using Strata.KvCache.Prefix;

namespace Strata.Router.Nodes;

/// <summary>One node as the router sees it: whether it answers, what it holds and what the router has sent it.</summary>
internal sealed class ClusterMember(Uri baseAddress)
{
    private int _activeRequests;
    private long _activeBlocks;
    private long _requests;

    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>The node as a metric label: <c>host:port</c>.</summary>
    public string Name { get; } = baseAddress.Authority;

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

    public void Begin(int blocks)
    {
        Interlocked.Increment(ref _activeRequests);
        Interlocked.Add(ref _activeBlocks, blocks);
        Interlocked.Increment(ref _requests);
    }

    public void End(int blocks)
    {
        Interlocked.Decrement(ref _activeRequests);
        Interlocked.Add(ref _activeBlocks, -blocks);
    }
}
