namespace Strata.Engine.Caching;

/// <summary>What one tier has loaded into the working pool: blocks, bytes and the time it took (bytes / seconds is its MB/s).</summary>
public readonly record struct TierTraffic(long Blocks, long Bytes, double Seconds);
