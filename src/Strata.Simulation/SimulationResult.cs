namespace Strata.Simulation;

/// <summary>
/// A finished simulation: every request's outcome in arrival order, the simulated time from the first arrival to the
/// last token, and the nodes' totals.
/// </summary>
internal sealed record SimulationResult(IReadOnlyList<RequestOutcome> Outcomes, double DurationSeconds, long Steps, long AdmittedPromptTokens, long CachedPromptTokens, long Preemptions)
{
    /// <summary>Prompt tokens served from a prefix cache, as a fraction of the prompt tokens admitted.</summary>
    public double CacheHitRate => AdmittedPromptTokens == 0 ? 0 : (double)CachedPromptTokens / AdmittedPromptTokens;
}
