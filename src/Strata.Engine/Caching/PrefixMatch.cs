namespace Strata.Engine.Caching;

/// <summary>
/// A waiting sequence's longest cached prefix: blocks still in the working pool, then blocks brought up from lower
/// tiers; the sequence computes from token <see cref="Start"/> on.
/// </summary>
internal sealed record PrefixMatch(IReadOnlyList<int> Cached, IReadOnlyList<LoadedBlock> Loaded, int Start);
