using Microsoft.Extensions.Logging;

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

    /// <summary>
    /// Tenants with their own API keys, default service tier and limits (see <see cref="TenantSettings.Parse"/>); their
    /// keys are accepted besides <see cref="ApiKeys"/>.
    /// </summary>
    public IReadOnlyList<TenantSettings> Tenants { get; init; } = [];

    /// <summary>The least severe log messages written to stderr.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
