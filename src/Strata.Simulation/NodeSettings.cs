using Strata.Engine.Control;

namespace Strata.Simulation;

/// <summary>How every simulated node is configured; the defaults come from the profile (the server's own settings).</summary>
/// <param name="HostBlocks">Blocks the node's host-memory tier holds (0: none).</param>
/// <param name="DiskBlocks">Blocks the node's disk tier holds (0: none).</param>
/// <param name="Levels">The SLO control plane's settings (tier order, targets, early rejection); the engine's defaults when null.</param>
internal sealed record NodeSettings(int KvBlocks, int MaxBatchedTokens, int MaxSequences, int MaxModelLength, bool PrefixCaching = true, int HostBlocks = 0, int DiskBlocks = 0,
    ServiceLevels? Levels = null)
{
    public static NodeSettings From(StepProfile profile) => new(profile.KvBlocks, profile.MaxBatchedTokens, profile.MaxSequences, profile.MaxModelLength);
}
