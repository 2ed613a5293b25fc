namespace Strata.Simulation;

/// <summary>One request of a simulated workload: when it arrives (seconds from the start), its prompt's token ids, and how many tokens it generates.</summary>
internal sealed record SimRequest(double ArrivalSeconds, int[] Prompt, int MaxTokens);
