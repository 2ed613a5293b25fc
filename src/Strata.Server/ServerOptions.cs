using Microsoft.Extensions.Logging;
using Strata.Server.Cluster;

namespace Strata.Server;

/// <summary>Where and how <see cref="StrataServer"/> listens.</summary>
public sealed record ServerOptions
{
    /// <summary>An IP address to listen on, or <c>localhost</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (see <see cref="StrataServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>
    /// When any are given, requests to <c>/v1/…</c> must send <c>Authorization: Bearer</c> one of these keys. Each key is
    /// a tenant: requests under different keys never share cached KV blocks.
    /// </summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>When set, the server is a cluster node: it serves <c>/cluster/node</c> and <c>/cluster/kv-events</c> for routers.</summary>
    public NodeIdentity? Node { get; init; }

    /// <summary>The least severe log messages written to stderr.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
