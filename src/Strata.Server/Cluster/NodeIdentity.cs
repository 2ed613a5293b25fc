namespace Strata.Server.Cluster;

/// <summary>
/// What a node tells a router about itself besides its load: its role, how it derives block keys (a router refuses a
/// node whose cache fingerprint differs from the one it computes) and where its KV events come from.
/// </summary>
public sealed record NodeIdentity
{
    public NodeRole Role { get; init; } = NodeRole.Both;

    /// <summary>The engine's cache identity fingerprint as hex (<c>CacheIdentity.Fingerprint</c>).</summary>
    public required string CacheFingerprint { get; init; }

    public required int BlockSize { get; init; }

    /// <summary>The KV cache element type, such as <c>F16</c>.</summary>
    public required string KvDataType { get; init; }

    /// <summary>The engine's KV events, streamed at <c>GET /cluster/kv-events</c>.</summary>
    public required KvEventFeed Events { get; init; }
}
