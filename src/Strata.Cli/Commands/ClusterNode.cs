using Strata.Engine;
using Strata.Server.Cluster;

namespace Strata.Cli.Commands;

/// <summary>What a served engine tells routers about itself (the server names no KvCache type, so it is read here).</summary>
internal static class ClusterNode
{
    public static NodeIdentity Identity(InferenceEngine engine, NodeRole role, KvEventFeed events) => new()
    {
        Role = role,
        CacheFingerprint = Convert.ToHexStringLower(engine.CacheIdentity.Fingerprint),
        BlockSize = engine.CacheIdentity.BlockSize,
        KvDataType = engine.Options.KvDataType.ToString(),
        Events = events,
    };
}
