namespace Strata.Simulation;

/// <summary>
/// One engine step's cost on one machine, as measured by <c>strata profile</c>: a fixed part, a part per prompt (or
/// recomputed) token, per decoding sequence, per KV position attention reads, per unit of prompt attention work (a
/// prompt chunk's new tokens times its context, see <see cref="Engine.Scheduling.PlanShape.PrefillAttention"/>), and per
/// block loaded from a lower tier, and per row the matrix kernels run alone (<see cref="LoneRows"/>). Profiles written
/// before the attention or the lone-row term read it as 0.
/// </summary>
internal sealed record CostModel(
    double FixedSeconds,
    double PrefillTokenSeconds,
    double DecodeSequenceSeconds,
    double ContextTokenSeconds,
    double BlockLoadSeconds,
    double PrefillAttentionSeconds = 0,
    double LoneRowSeconds = 0)
{
    /// <summary>Tokens the matrix kernels multiply together in one pass over the weights (their token tile).</summary>
    public const int KernelTokenTile = 4;

    /// <summary>
    /// Rows of a step's batch (its prompt tokens and decoding sequences, all multiplied together) left over from whole
    /// tiles, which most kernels run in one-token tiles costing a core about twice a four-token tile's time per token, so
    /// two decodes took longer than four (a one-thread Q4_0 profile: 84 and 34 ms), which no term linear in the rows can say.
    /// </summary>
    public static int LoneRows(int prefillTokens, int decodeSequences) => (prefillTokens + decodeSequences) % KernelTokenTile;

    public double Seconds(int prefillTokens, int decodeSequences, long contextTokens, long prefillAttention, int blockLoads) =>
        FixedSeconds + PrefillTokenSeconds * prefillTokens + DecodeSequenceSeconds * decodeSequences + ContextTokenSeconds * contextTokens
        + PrefillAttentionSeconds * prefillAttention + BlockLoadSeconds * blockLoads + LoneRowSeconds * LoneRows(prefillTokens, decodeSequences);
}
