using Strata.Engine;

namespace Strata.Server.Metrics;

/// <summary>The prefix cache and its tiers in Prometheus text: hits, bytes, evictions, compactions, prefetch latency, load rates.</summary>
internal static class CacheMetrics
{
    public static void WriteTo(PrometheusText text, InferenceEngine engine)
    {
        var stats = engine.Stats;
        text.Counter("strata_prefix_cache_prompt_tokens_total", "Prompt tokens of admitted requests.", stats.AdmittedPromptTokens);
        text.Counter("strata_prefix_cache_hit_tokens_total", "Prompt tokens served from the prefix cache (any tier).", stats.CachedPromptTokens);
        text.Gauge("strata_prefix_cache_blocks", "Full blocks in the working pool findable by content.", stats.CachedBlocks);
        text.Counter("strata_prefix_cache_evictions_total", "Cached blocks evicted from the working pool.", stats.CacheEvictions);
        text.Counter("strata_kv_prefetch_total", "Loads of cached blocks from lower tiers.", stats.Prefetches);
        text.Counter("strata_kv_prefetch_seconds_total", "Time spent on those loads, from request admission to blocks in memory.", stats.PrefetchSeconds);

        var traffic = engine.TierTraffic;
        var tiers = new[] { "host", "disk", "remote" };
        Labeled(text, "strata_kv_tier_loaded_blocks_total", "counter", "Blocks a lower tier loaded into the working pool.", tiers, t => traffic.GetValueOrDefault(t).Blocks);
        Labeled(text, "strata_kv_tier_loaded_bytes_total", "counter", "Bytes a lower tier loaded into the working pool.", tiers, t => traffic.GetValueOrDefault(t).Bytes);
        Labeled(text, "strata_kv_tier_load_seconds_total", "counter", "Time a lower tier spent loading (bytes / seconds is its MB/s).", tiers, t => traffic.GetValueOrDefault(t).Seconds);

        var host = engine.HostCacheStats;
        var disk = engine.DiskCacheStats;
        var remote = engine.RemoteCacheStats;
        Labeled(text, "strata_kv_tier_hits_total", "counter", "Block reads a tier answered.", tiers, t => t switch
        {
            "host" => host?.Hits, "disk" => disk?.Hits, _ => remote?.Hits,
        });
        Labeled(text, "strata_kv_tier_misses_total", "counter", "Block reads a tier could not answer.", tiers, t => t switch
        {
            "host" => host?.Misses, "disk" => disk?.Misses, _ => remote?.Misses,
        });
        Labeled(text, "strata_kv_tier_written_bytes_total", "counter", "Bytes stored into a tier.", tiers, t => t switch
        {
            "host" => host?.BytesWritten, "disk" => disk?.BytesWritten, _ => remote?.BytesWritten,
        });
        Labeled(text, "strata_kv_tier_blocks", "gauge", "Blocks a tier holds.", ["host", "disk"], t => t == "host" ? host?.Blocks : disk?.Blocks);
        Labeled(text, "strata_kv_tier_bytes", "gauge", "Bytes a tier holds.", ["host", "disk"], t => t == "host" ? host?.Bytes : disk?.LiveBytes);
        Labeled(text, "strata_kv_tier_evictions_total", "counter", "Blocks a tier dropped to stay within its size.", ["host", "disk"], t => t == "host" ? host?.Evictions : disk?.Evictions);
        if (disk is not null)
        {
            text.Counter("strata_kv_disk_compactions_total", "Disk tier compactions.", disk.Compactions);
            text.Counter("strata_kv_disk_expired_total", "Disk tier blocks removed by their TTL.", disk.Expirations);
            text.Counter("strata_kv_disk_corrupt_total", "Damaged disk records dropped, never served.", disk.CorruptRecordsDropped);
        }
        if (remote is not null)
        {
            text.Counter("strata_kv_remote_errors_total", "Remote store operations that failed.", remote.Errors);
            text.Counter("strata_kv_remote_rejected_total", "Remote values ignored as corrupt or from another model.", remote.RejectedCorrupt + remote.RejectedForeign);
            text.Counter("strata_kv_remote_dropped_publishes_total", "Blocks not published (queue full or store down).", remote.DroppedPublishes);
            text.Counter("strata_kv_remote_read_seconds_total", "Time spent reading from the remote store.", remote.ReadTime.TotalSeconds);
            text.Gauge("strata_kv_remote_breaker_open", "1 while the circuit breaker keeps the node off the remote store.", remote.Breaker == Strata.KvCache.Remote.BreakerState.Closed ? 0 : 1);
        }
    }

    private static void Labeled(PrometheusText text, string name, string type, string help, IEnumerable<string> tiers, Func<string, double?> value)
    {
        text.Family(name, type, help);
        foreach (var tier in tiers)
        {
            if (value(tier) is { } v)
                text.Sample(name, v, "tier", tier);
        }
    }
}
