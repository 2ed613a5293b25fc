namespace Strata.Simulation;

/// <summary>
/// One engine step's cost on one machine, as measured by <c>strata profile</c>: a fixed part, a part per prompt (or
/// recomputed) token, per decoding sequence, per KV position attention reads, per unit of prompt attention work (a
/// prompt chunk's new tokens times its context, see <see cref="Engine.Scheduling.PlanShape.PrefillAttention"/>), and per
/// block loaded from a lower tier. Profiles written before the attention term read it as 0.
/// </summary>
internal sealed record CostModel(
    double FixedSeconds,
    double PrefillTokenSeconds,
    double DecodeSequenceSeconds,
    double ContextTokenSeconds,
    double BlockLoadSeconds,
    double PrefillAttentionSeconds = 0)
{
    public double Seconds(int prefillTokens, int decodeSequences, long contextTokens, long prefillAttention, int blockLoads) =>
        FixedSeconds + PrefillTokenSeconds * prefillTokens + DecodeSequenceSeconds * decodeSequences + ContextTokenSeconds * contextTokens
        + PrefillAttentionSeconds * prefillAttention + BlockLoadSeconds * blockLoads;
}
