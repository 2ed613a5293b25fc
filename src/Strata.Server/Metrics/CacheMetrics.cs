using Strata.Engine;

namespace Strata.Server.Metrics;

/// <summary>The prefix cache and its tiers in Prometheus text: hits, bytes, evictions, prefetch latency, load rates, and each tier's own counters.</summary>
internal static class CacheMetrics
{
    public static void WriteTo(PrometheusText text, EngineStats stats)
    {
        text.Counter("strata_prefix_cache_prompt_tokens_total", "Prompt tokens of admitted requests.", stats.AdmittedPromptTokens);
        text.Counter("strata_prefix_cache_hit_tokens_total", "Prompt tokens served from the prefix cache (any tier).", stats.CachedPromptTokens);
        text.Gauge("strata_prefix_cache_blocks", "Full blocks in the working pool findable by content.", stats.CachedBlocks);
        text.Counter("strata_prefix_cache_evictions_total", "Cached blocks evicted from the working pool.", stats.CacheEvictions);
        text.Counter("strata_kv_prefetch_total", "Loads of cached blocks from lower tiers.", stats.Prefetches);
        text.Counter("strata_kv_prefetch_seconds_total", "Time spent on those loads, from request admission to blocks in memory.", stats.PrefetchSeconds);

        var tiers = stats.Tiers;
        Labeled(text, "strata_kv_tier_loaded_blocks_total", "counter", "Blocks a lower tier loaded into the working pool.", tiers, t => t.LoadedBlocks);
        Labeled(text, "strata_kv_tier_loaded_bytes_total", "counter", "Bytes a lower tier loaded into the working pool.", tiers, t => t.LoadedBytes);
        Labeled(text, "strata_kv_tier_load_seconds_total", "counter", "Time a lower tier spent loading (bytes / seconds is its MB/s).", tiers, t => t.LoadSeconds);
        Labeled(text, "strata_kv_tier_hits_total", "counter", "Block reads a tier answered.", tiers, t => t.Hits);
        Labeled(text, "strata_kv_tier_misses_total", "counter", "Block reads a tier could not answer.", tiers, t => t.Misses);
        Labeled(text, "strata_kv_tier_written_bytes_total", "counter", "Bytes stored into a tier.", tiers, t => t.BytesWritten);
        Labeled(text, "strata_kv_tier_blocks", "gauge", "Blocks a tier holds.", tiers, t => t.Blocks);
        Labeled(text, "strata_kv_tier_bytes", "gauge", "Bytes a tier holds.", tiers, t => t.Bytes);
        Labeled(text, "strata_kv_tier_evictions_total", "counter", "Blocks a tier dropped to stay within its size.", tiers, t => t.Evictions);
        foreach (var tier in tiers)
        {
            foreach (var detail in tier.Details)
            {
                var name = $"strata_kv_{tier.Name}_{detail.Name}";
                if (detail.IsGauge)
                    text.Gauge(name, detail.Help, detail.Value);
                else
                    text.Counter(name, detail.Help, detail.Value);
            }
        }
    }

    private static void Labeled(PrometheusText text, string name, string type, string help, IEnumerable<TierStats> tiers, Func<TierStats, double?> value)
    {
        text.Family(name, type, help);
        foreach (var tier in tiers)
        {
            if (value(tier) is { } v)
                text.Sample(name, v, "tier", tier.Name);
        }
    }
}
