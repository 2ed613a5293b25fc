namespace Strata.Engine.Caching;

/// <summary>An asynchronous load of a sequence's cached blocks from lower tiers, starting at block <see cref="FirstBlock"/>; <see cref="Started"/> is a timestamp of the engine's clock.</summary>
internal sealed record PrefixFetch(int FirstBlock, Task<IReadOnlyList<LoadedBlock>> Loads, long Started);
