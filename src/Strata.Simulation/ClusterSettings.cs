using Strata.Simulation.Routing;

namespace Strata.Simulation;

/// <summary>A simulated cluster: how many colocated nodes, how requests are routed to them, and how each is configured.</summary>
internal sealed record ClusterSettings(int Nodes, RouterPolicy Router, NodeSettings Node);
