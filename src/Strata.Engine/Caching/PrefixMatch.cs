namespace Strata.Engine.Caching;

/// <summary>
/// A waiting sequence's longest cached prefix: blocks still in the working pool, then blocks brought up from lower
/// tiers; the sequence computes from token <see cref="Start"/> on. <see cref="Load"/> is the load from the tiers the
/// match waited for, if any (for the request's timeline).
/// </summary>
internal sealed record PrefixMatch(IReadOnlyList<int> Cached, IReadOnlyList<LoadedBlock> Loaded, int Start, PrefixFetch? Load = null);
