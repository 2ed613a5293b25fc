namespace Strata.Simulation.Routing;

/// <summary>Chooses the node a request goes to, at its arrival (simulated nodes, or real engines a validation runs).</summary>
internal interface IRouter
{
    TNode Route<TNode>(SimRequest request, IReadOnlyList<TNode> nodes) where TNode : INodeLoad;
}
