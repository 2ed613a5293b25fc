namespace Strata.Simulation;

/// <summary>
/// Seconds one step takes, from what it runs and the prompts it admits: a profile's cost law with the server's time per
/// step, streamed token and admitted prompt token (<see cref="StepProfile.StepSeconds"/>), or a recorded run's own step times played back in order (to check the
/// simulation's bookkeeping against the run it recorded).
/// </summary>
internal delegate double StepCost(int prefillTokens, int decodeSequences, long contextTokens, long prefillAttention, int blockLoads, int admittedPromptTokens);
