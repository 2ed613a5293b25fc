using Strata.Simulation.Routing;

namespace Strata.Simulation;

/// <summary>A simulated cluster: how many colocated (or, with <see cref="Disaggregation"/>, decode) nodes, how requests are routed to them, and how each is configured.</summary>
/// <param name="Runs">Whether nodes apply runs of steps of one fixed composition at once — pure decodes, a lone prompt's chunks (the same results, faster); off, every step is simulated alone.</param>
/// <param name="PrepareKeys">Whether prompts' block keys are derived ahead, on the thread reading the workload (the same results, faster); off, each node's engine derives them.</param>
/// <param name="Workers">Threads advancing the nodes (0: one per core) where nodes are independent between arrivals — round-robin routing, colocated nodes; the same results with any number.</param>
/// <param name="Disaggregation">Prefill nodes beside the <paramref name="Nodes"/> decode nodes, and the hand-off between them; null for colocated nodes.</param>
internal sealed record ClusterSettings(int Nodes, RouterPolicy Router, NodeSettings Node, bool Runs = true, bool PrepareKeys = true, Disaggregation? Disaggregation = null,
    int Workers = 0);
