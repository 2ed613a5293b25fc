namespace Strata.Simulation.Profiling;

/// <summary>One measured step: what it ran and the seconds it took.</summary>
internal readonly record struct StepSample(int PrefillTokens, int DecodeSequences, long ContextTokens, double Seconds);
