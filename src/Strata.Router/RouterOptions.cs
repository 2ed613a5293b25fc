using Microsoft.Extensions.Logging;

namespace Strata.Router;

/// <summary>Where <see cref="StrataRouter"/> listens and which nodes it sends requests to.</summary>
public sealed record RouterOptions
{
    /// <summary>An IP address to listen on, or <c>localhost</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (see <see cref="StrataRouter.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The nodes' base addresses (each a <c>strata serve</c>); more may come from <see cref="Registry"/>.</summary>
    public IReadOnlyList<Uri> Nodes { get; init; } = [];

    /// <summary>
    /// The store nodes register in (<c>redis[s]://…</c>, as <c>strata serve --register</c>): its nodes join and leave
    /// the router's while it runs. Null: only <see cref="Nodes"/>.
    /// </summary>
    public string? Registry { get; init; }

    public RoutingPolicy Policy { get; init; } = RoutingPolicy.KvAware;

    /// <summary>
    /// With prefill and decode nodes: a prompt with fewer tokens than this not cached on the chosen decode node is
    /// computed there, without a prefill node (Dynamo's conditional disaggregation); 0 sends every prompt to a prefill node.
    /// </summary>
    public int DisaggregationThreshold { get; init; } = 256;

    /// <summary>The least severe log messages written to stderr.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
