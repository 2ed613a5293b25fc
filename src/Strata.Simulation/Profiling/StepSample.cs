namespace Strata.Simulation.Profiling;

/// <summary>One measured step: what it ran (the terms of <see cref="CostModel"/>) and the seconds it took.</summary>
internal readonly record struct StepSample(int PrefillTokens, int DecodeSequences, long ContextTokens, long PrefillAttention, double Seconds);
