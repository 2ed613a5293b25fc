using Strata.Simulation.Routing;

namespace Strata.Simulation;

/// <summary>A simulated cluster: how many colocated (or, with <see cref="Disaggregation"/>, decode) nodes, how requests are routed to them, and how each is configured.</summary>
/// <param name="DecodeRuns">Whether nodes apply runs of pure decode steps at once (the same results, faster); off, every step is simulated alone.</param>
/// <param name="Disaggregation">Prefill nodes beside the <paramref name="Nodes"/> decode nodes, and the hand-off between them; null for colocated nodes.</param>
internal sealed record ClusterSettings(int Nodes, RouterPolicy Router, NodeSettings Node, bool DecodeRuns = true, Disaggregation? Disaggregation = null);
