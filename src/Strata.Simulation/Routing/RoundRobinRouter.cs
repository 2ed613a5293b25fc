namespace Strata.Simulation.Routing;

/// <summary>Each node in turn, blind to load and cache.</summary>
internal sealed class RoundRobinRouter : IRouter
{
    private int _next;

    public TNode Route<TNode>(SimRequest request, IReadOnlyList<TNode> nodes) where TNode : INodeLoad
    {
        var node = nodes[_next];
        _next = (_next + 1) % nodes.Count;
        return node;
    }
}
