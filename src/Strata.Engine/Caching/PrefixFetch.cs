namespace Strata.Engine.Caching;

/// <summary>An asynchronous load of a sequence's cached blocks from lower tiers, starting at block <see cref="FirstBlock"/>.</summary>
internal sealed record PrefixFetch(int FirstBlock, Task<IReadOnlyList<LoadedBlock>> Loads, long StartedTimestamp);
