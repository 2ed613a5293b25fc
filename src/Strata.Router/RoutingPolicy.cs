namespace Strata.Router;

/// <summary>How the router picks a node for a request.</summary>
public enum RoutingPolicy
{
    /// <summary>Where the request's prefix is cached and there is room (see <c>KvAwareRanking</c>).</summary>
    KvAware,

    /// <summary>Each node in turn, whatever it holds.</summary>
    RoundRobin,
}
