namespace Strata.Server.Cluster;

/// <summary>What a node does in a cluster, as it tells a router (<c>GET /cluster/node</c>).</summary>
public enum NodeRole
{
    /// <summary>Prefill and decode on the same node (the colocated case).</summary>
    Both,

    /// <summary>Computes prompts and their first token for decode nodes.</summary>
    Prefill,

    /// <summary>Continues requests whose prompts a prefill node computed.</summary>
    Decode,
}
