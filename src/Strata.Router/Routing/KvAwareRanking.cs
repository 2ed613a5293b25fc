using Strata.Router.Nodes;

namespace Strata.Router.Routing;

/// <summary>
/// Dynamo's cost: the prompt blocks a node would have to compute (what it holds counts by its tier's credit) plus the
/// decode blocks it would hold (its running requests' and this one's new blocks); the cheapest node first. SGLang's imbalance guard overrides it: when
/// the busiest node runs more than <see cref="AbsoluteImbalance"/> requests above the idlest and more than
/// <see cref="RelativeImbalance"/> times as many, nodes are ordered by load first, so a cache hit never piles work onto
/// an overloaded node — and cost still orders nodes of equal load, so locality is not forgotten.
/// </summary>
internal sealed class KvAwareRanking : IRouteRanking
{
    public const int AbsoluteImbalance = 4;
    public const double RelativeImbalance = 1.5;

    public IReadOnlyList<ClusterMember> Rank(IReadOnlyList<ClusterMember> nodes, RoutedRequest? request)
    {
        var reachable = nodes.Where(n => n.Reachable).ToList();
        var candidates = reachable.Count > 0 ? reachable : [.. nodes];
        var costs = candidates.ToDictionary(n => n, n => Cost(n, request));
        var loads = candidates.Select(n => n.ActiveRequests).ToList();
        var imbalanced = loads.Max() - loads.Min() > AbsoluteImbalance && loads.Max() > RelativeImbalance * loads.Min();
        var ordered = imbalanced
            ? candidates.OrderBy(n => n.ActiveRequests).ThenBy(n => costs[n])
            : candidates.OrderBy(n => costs[n]).ThenBy(n => n.ActiveRequests);
        return [.. ordered.ThenBy(n => n.Name, StringComparer.Ordinal), .. nodes.Except(candidates)];
    }

    /// <summary>
    /// Prefill blocks not cached on the node, plus the decode blocks it would hold with the request: those of its
    /// requests in flight and the request's own, less the prefix it shares with what the node holds.
    /// </summary>
    public static double Cost(ClusterMember node, RoutedRequest? request)
    {
        if (request is null)
            return node.ActiveBlocks;
        var cached = node.Blocks.CachedBlocks(request.Keys);
        return request.PromptBlocks - cached + node.ActiveBlocks + request.Blocks - cached;
    }
}
