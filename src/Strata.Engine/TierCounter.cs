namespace Strata.Engine;

/// <summary>A tier-specific figure: <see cref="Name"/> is its metric name after <c>strata_kv_{tier}_</c> (counters end in <c>_total</c>).</summary>
public readonly record struct TierCounter(string Name, string Help, double Value, bool IsGauge = false);
