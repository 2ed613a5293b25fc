namespace Strata.Simulation.Routing;

/// <summary>Chooses the node a simulated request goes to, at its arrival.</summary>
internal interface IRouter
{
    SimNode Route(SimRequest request, IReadOnlyList<SimNode> nodes);
}
