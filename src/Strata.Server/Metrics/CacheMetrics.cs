using System.Diagnostics.Metrics;
using Strata.Engine;

namespace Strata.Server.Metrics;

/// <summary>
/// The prefix cache and its tiers: hits, bytes, evictions, prefetch latency, load rates, and each tier's own counters
/// (<c>strata_kv_{tier}_{detail}</c>), all read from the engine's stats whenever metrics are collected. The tiers are
/// fixed when the engine starts, so their instruments are declared once from the first snapshot.
/// </summary>
internal sealed class CacheMetrics
{
    public CacheMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        var meter = meters.Create(ServerMetrics.MeterName);
        meter.CreateObservableCounter("strata_prefix_cache_prompt_tokens_total", () => engine.Stats.AdmittedPromptTokens, description: "Prompt tokens of admitted requests.");
        meter.CreateObservableCounter("strata_prefix_cache_hit_tokens_total", () => engine.Stats.CachedPromptTokens, description: "Prompt tokens served from the prefix cache (any tier).");
        meter.CreateObservableGauge("strata_prefix_cache_blocks", () => engine.Stats.CachedBlocks, description: "Full blocks in the working pool findable by content.");
        meter.CreateObservableCounter("strata_prefix_cache_evictions_total", () => engine.Stats.CacheEvictions, description: "Cached blocks evicted from the working pool.");
        meter.CreateObservableCounter("strata_kv_prefetch_total", () => engine.Stats.Prefetches, description: "Loads of cached blocks from lower tiers.");
        meter.CreateObservableCounter("strata_kv_prefetch_seconds_total", () => engine.Stats.PrefetchSeconds, description: "Time spent on those loads, from request admission to blocks in memory.");

        var tiers = engine.Stats.Tiers;
        if (tiers.Count == 0)
            return;
        PerTier(meter, "strata_kv_tier_loaded_blocks_total", "Blocks a lower tier loaded into the working pool.", engine, t => t.LoadedBlocks);
        PerTier(meter, "strata_kv_tier_loaded_bytes_total", "Bytes a lower tier loaded into the working pool.", engine, t => t.LoadedBytes);
        PerTier(meter, "strata_kv_tier_load_seconds_total", "Time a lower tier spent loading (bytes / seconds is its MB/s).", engine, t => t.LoadSeconds);
        PerTier(meter, "strata_kv_tier_hits_total", "Block reads a tier answered.", engine, t => t.Hits);
        PerTier(meter, "strata_kv_tier_misses_total", "Block reads a tier could not answer.", engine, t => t.Misses);
        PerTier(meter, "strata_kv_tier_written_bytes_total", "Bytes stored into a tier.", engine, t => t.BytesWritten);
        PerTier(meter, "strata_kv_tier_evictions_total", "Blocks a tier dropped to stay within its size.", engine, t => t.Evictions);
        meter.CreateObservableGauge("strata_kv_tier_blocks", () => Measure(engine, t => t.Blocks), description: "Blocks a tier holds.");
        meter.CreateObservableGauge("strata_kv_tier_bytes", () => Measure(engine, t => t.Bytes), description: "Bytes a tier holds.");
        foreach (var tier in tiers)
        {
            foreach (var detail in tier.Details)
                Detail(meter, engine, tier.Name, detail);
        }
    }

    private static void Detail(Meter meter, InferenceEngine engine, string tier, TierCounter detail)
    {
        var name = $"strata_kv_{tier}_{detail.Name}";
        Func<IEnumerable<Measurement<double>>> read = () => engine.Stats.Tier(tier)?.Detail(detail.Name) is { } v ? [new Measurement<double>(v)] : [];
        if (detail.IsGauge)
            meter.CreateObservableGauge(name, read, description: detail.Help);
        else
            meter.CreateObservableCounter(name, read, description: detail.Help);
    }

    private static void PerTier(Meter meter, string name, string description, InferenceEngine engine, Func<TierStats, double?> value) =>
        meter.CreateObservableCounter(name, () => Measure(engine, value), description: description);

    private static IEnumerable<Measurement<double>> Measure(InferenceEngine engine, Func<TierStats, double?> value)
    {
        foreach (var tier in engine.Stats.Tiers)
        {
            if (value(tier) is { } v)
                yield return new Measurement<double>(v, new KeyValuePair<string, object?>("tier", tier.Name));
        }
    }
}
