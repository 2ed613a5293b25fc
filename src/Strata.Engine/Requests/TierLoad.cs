namespace Strata.Engine.Requests;

/// <summary>Cached blocks loaded from a lower tier (the tier that supplied the first block; null when none arrived).</summary>
public readonly record struct TierLoad(long Start, long End, int Blocks, string? Tier);
