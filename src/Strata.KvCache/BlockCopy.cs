namespace Strata.KvCache;

/// <summary>A block's contents to be copied before the next forward pass (copy-on-write of a shared block).</summary>
public readonly record struct BlockCopy(int Source, int Destination);
