namespace Strata.Cli.ServeBenchmark;

/// <summary>A finished benchmark: the model that served it, the measured token estimate, the raw run and its summary.</summary>
/// <param name="Estimate">Null when the server reported no prompt tokens and the run assumed one token per word.</param>
internal sealed record BenchmarkOutcome(string Model, string EndpointUrl, TokenEstimate? Estimate, BenchmarkRun Run, BenchmarkSummary Summary)
{
    /// <summary>Per service tier, with <c>--tier-mix</c>; empty otherwise.</summary>
    public IReadOnlyList<TierSummary> Tiers { get; init; } = [];
}
