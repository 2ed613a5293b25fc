namespace Strata.Server.Cluster;

/// <summary>
/// What a node tells a router about itself besides what its engine says (its cache identity and load, read once the
/// model has loaded): its role and where its KV events come from; and where it registers, if it does.
/// </summary>
public sealed record NodeIdentity
{
    public NodeRole Role { get; init; } = NodeRole.Both;

    /// <summary>The engine's KV events, streamed at <c>GET /cluster/kv-events</c>.</summary>
    public required KvEventFeed Events { get; init; }

    /// <summary>
    /// The store the node registers in (<c>redis[s]://…</c>, see <see cref="NodeRegistration"/>), so routers following it
    /// find the node; null: routers must be given its URL.
    /// </summary>
    public string? RegistryUrl { get; init; }

    /// <summary>The URL routers reach the node at; null: the address the server listens on.</summary>
    public Uri? Advertise { get; init; }

    /// <summary>How long the node's record outlives its last heartbeat (one every third of it).</summary>
    public TimeSpan RegistrationTtl { get; init; } = TimeSpan.FromSeconds(10);
}
