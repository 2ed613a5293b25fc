using Microsoft.Extensions.Logging;
using Strata.Server.Cluster;

namespace Strata.Server;

/// <summary>Where and how <see cref="StrataServer"/> listens, logs and stops.</summary>
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

    /// <summary>
    /// Tenants with their own API keys, default service tier and limits (see <see cref="TenantSettings.Parse"/>); their
    /// keys are accepted besides <see cref="ApiKeys"/>.
    /// </summary>
    public IReadOnlyList<TenantSettings> Tenants { get; init; } = [];

    /// <summary>
    /// The largest request body taken; larger ones are refused with 413 before they are read. Null picks
    /// <see cref="DefaultMaxRequestBytes"/> for the served context.
    /// </summary>
    public long? MaxRequestBytes { get; init; }

    /// <summary>The least severe log messages written to stderr.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Log lines as text or as JSON objects.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Where the server logs, when the program embedding it set logging up already (null: set up from the two above).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>How long a shutdown lets running requests finish (while readiness says no and new requests get 503) before cancelling them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// More tracing setup (another exporter, say); when given, requests are traced even without an OTLP endpoint
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, which turns tracing on by itself).
    /// </summary>
    public Action<OpenTelemetry.Trace.TracerProviderBuilder>? ConfigureTracing { get; init; }

    /// <summary>The engine loop is reported stalled (not ready) when it does not turn within this time.</summary>
    public TimeSpan LoopStallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// 1 MiB, or 32 bytes per token of context when that is more: room for the longest prompt the model can take, as
    /// text or as token ids, with JSON around it, and no more, so a request costs a bounded multiple of what it may use.
    /// </summary>
    public static long DefaultMaxRequestBytes(int maxModelLength) => Math.Max(1L << 20, 32L * maxModelLength);
}
