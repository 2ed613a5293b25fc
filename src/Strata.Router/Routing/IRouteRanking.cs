using Strata.Router.Nodes;

namespace Strata.Router.Routing;

/// <summary>Orders the nodes for one request: the first is tried first, the rest are where it is retried.</summary>
internal interface IRouteRanking
{
    /// <param name="request">Null when the router could not read the request (the node will refuse it).</param>
    IReadOnlyList<ClusterMember> Rank(IReadOnlyList<ClusterMember> nodes, RoutedRequest? request);
}
