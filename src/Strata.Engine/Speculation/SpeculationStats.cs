namespace Strata.Engine.Speculation;

/// <summary>
/// Speculative decoding so far: drafts verified, drafts accepted, and how many sequence-steps accepted 0, 1, … k drafts
/// (<see cref="AcceptedPerVerification"/>[a] counts verifications that accepted a drafts).
/// </summary>
public sealed record SpeculationStats(string Method, long DraftTokens, long AcceptedTokens, IReadOnlyList<long> AcceptedPerVerification)
{
    /// <summary>Blocks the draft model's own KV pool holds (0 without a draft model).</summary>
    public int DraftKvBlocksUsed { get; init; }

    /// <summary>Nodes of the suffix method's shared tree, the root included (0 for the other methods).</summary>
    public int SuffixTreeNodes { get; init; }
}
