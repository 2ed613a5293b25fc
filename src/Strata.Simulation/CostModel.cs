namespace Strata.Simulation;

/// <summary>
/// One engine step's cost on one machine, as measured by <c>strata profile</c>: a fixed part, a part per prompt (or
/// recomputed) token, per decoding sequence, per KV position attention reads, and per block loaded from a lower tier.
/// </summary>
internal sealed record CostModel(double FixedSeconds, double PrefillTokenSeconds, double DecodeSequenceSeconds, double ContextTokenSeconds, double BlockLoadSeconds)
{
    public double Seconds(int prefillTokens, int decodeSequences, long contextTokens, int blockLoads) =>
        FixedSeconds + PrefillTokenSeconds * prefillTokens + DecodeSequenceSeconds * decodeSequences + ContextTokenSeconds * contextTokens
        + BlockLoadSeconds * blockLoads;
}
