namespace Strata.Server.Cluster;

/// <summary>
/// What a node tells a router about itself besides what its engine says (its cache identity and load, read once the
/// model has loaded): its role and where its KV events come from.
/// </summary>
public sealed record NodeIdentity
{
    public NodeRole Role { get; init; } = NodeRole.Both;

    /// <summary>The engine's KV events, streamed at <c>GET /cluster/kv-events</c>.</summary>
    public required KvEventFeed Events { get; init; }
}
