using Strata.Engine.Requests;
using Strata.Router.Nodes;

namespace Strata.Router.Routing;

/// <summary>
/// Dynamo's cost: the prompt blocks a node would have to compute (what it holds counts by its tier's credit) plus the
/// decode blocks it would hold (its running requests' and this one's new blocks); the cheapest node first. SGLang's imbalance guard overrides it: when
/// the busiest node runs more than <see cref="AbsoluteImbalance"/> requests above the idlest and more than
/// <see cref="RelativeImbalance"/> times as many, nodes are ordered by load first, so a cache hit never piles work onto
/// an overloaded node — and cost still orders nodes of equal load, so locality is not forgotten.
/// Loads are as the request's service tier meets them (<see cref="ClusterMember.LoadFor"/>): work of lower tiers does
/// not count, because a node serves a higher tier first. So a <c>flex</c> request sees every request on a busy node and
/// the guard turns it away first, leaving that node's room to the tiers above, while a <c>priority</c> request still goes
/// where its prefix is cached when only lower tiers crowd the node.
/// </summary>
internal sealed class KvAwareRanking : IRouteRanking
{
    public const int AbsoluteImbalance = 4;
    public const double RelativeImbalance = 1.5;

    public IReadOnlyList<ClusterMember> Rank(IReadOnlyList<ClusterMember> nodes, RoutedRequest? request)
    {
        var tier = request?.Tier ?? ServiceTier.Default;
        var reachable = nodes.Where(n => n.Reachable).ToList();
        var candidates = reachable.Count > 0 ? reachable : [.. nodes];
        var loads = candidates.ToDictionary(n => n, n => n.LoadFor(tier));
        var costs = candidates.ToDictionary(n => n, n => Cost(n, request, loads[n].Blocks));
        var busiest = loads.Values.Max(l => l.Requests);
        var idlest = loads.Values.Min(l => l.Requests);
        var imbalanced = busiest - idlest > AbsoluteImbalance && busiest > RelativeImbalance * idlest;
        var ordered = imbalanced
            ? candidates.OrderBy(n => loads[n].Requests).ThenBy(n => costs[n])
            : candidates.OrderBy(n => costs[n]).ThenBy(n => loads[n].Requests);
        return [.. ordered.ThenBy(n => n.Name, StringComparer.Ordinal), .. nodes.Except(candidates)];
    }

    /// <summary>
    /// Prefill blocks not cached on the node, plus the decode blocks it would hold with the request: those of its
    /// requests in flight (<paramref name="activeBlocks"/>, as the request's tier counts them) and the request's own,
    /// less the prefix it shares with what the node holds.
    /// </summary>
    public static double Cost(ClusterMember node, RoutedRequest? request, long activeBlocks)
    {
        if (request is null)
            return activeBlocks;
        var cached = node.Blocks.CachedBlocks(request.Keys);
        return request.PromptBlocks - cached + activeBlocks + request.Blocks - cached;
    }
}
