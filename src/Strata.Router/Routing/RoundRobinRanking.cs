using Strata.Router.Nodes;

namespace Strata.Router.Routing;

/// <summary>Each reachable node in turn, whatever it holds: the baseline the KV-aware ranking is measured against.</summary>
internal sealed class RoundRobinRanking : IRouteRanking
{
    private long _next = -1;

    public IReadOnlyList<ClusterMember> Rank(IReadOnlyList<ClusterMember> nodes, RoutedRequest? request)
    {
        var start = (int)(Interlocked.Increment(ref _next) % nodes.Count);
        return [.. Enumerable.Range(0, nodes.Count).Select(i => nodes[(start + i) % nodes.Count]).OrderBy(n => n.Reachable ? 0 : 1)];
    }
}
