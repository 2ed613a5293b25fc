using Strata.Engine.Requests;

namespace Strata.Simulation;

/// <summary>One request of a simulated workload: when it arrives (seconds from the start), its prompt's token ids, how many tokens it generates, and its service tier.</summary>
internal sealed record SimRequest(double ArrivalSeconds, int[] Prompt, int MaxTokens, ServiceTier Tier = ServiceTier.Default);
