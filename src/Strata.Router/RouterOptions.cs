using Microsoft.Extensions.Logging;

namespace Strata.Router;

/// <summary>Where <see cref="StrataRouter"/> listens and which nodes it sends requests to.</summary>
public sealed record RouterOptions
{
    /// <summary>An IP address to listen on, or <c>localhost</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (see <see cref="StrataRouter.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The nodes' base addresses (each a <c>strata serve</c>).</summary>
    public required IReadOnlyList<Uri> Nodes { get; init; }

    public RoutingPolicy Policy { get; init; } = RoutingPolicy.KvAware;

    /// <summary>
    /// With prefill and decode nodes: a prompt with fewer tokens than this not cached on the chosen decode node is
    /// computed there, without a prefill node (Dynamo's conditional disaggregation); 0 sends every prompt to a prefill node.
    /// </summary>
    public int DisaggregationThreshold { get; init; } = 256;

    /// <summary>The least severe log messages written to stderr.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
