namespace Strata.Simulation;

/// <summary>How every simulated node is configured; the defaults come from the profile (the server's own settings).</summary>
internal sealed record NodeSettings(int KvBlocks, int MaxBatchedTokens, int MaxSequences, int MaxModelLength, bool PrefixCaching = true)
{
    public static NodeSettings From(StepProfile profile) => new(profile.KvBlocks, profile.MaxBatchedTokens, profile.MaxSequences, profile.MaxModelLength);
}
