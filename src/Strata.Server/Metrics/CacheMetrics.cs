using System.Diagnostics.Metrics;
using Strata.Engine;
using Strata.KvCache.Remote;

namespace Strata.Server.Metrics;

/// <summary>
/// The prefix cache and its tiers: hits, bytes, evictions, compactions, prefetch latency, load rates. Read whenever
/// metrics are collected; a tier the engine does not have reports nothing, so its series are absent.
/// </summary>
internal sealed class CacheMetrics
{
    private static readonly string[] Tiers = ["host", "disk", "remote"];
    private static readonly string[] LocalTiers = ["host", "disk"];
    private readonly InferenceEngine _engine;

    public CacheMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        _engine = engine;
        var meter = meters.Create(ServerMetrics.MeterName);
        meter.CreateObservableCounter("strata_prefix_cache_prompt_tokens_total", () => engine.Stats.AdmittedPromptTokens, description: "Prompt tokens of admitted requests.");
        meter.CreateObservableCounter("strata_prefix_cache_hit_tokens_total", () => engine.Stats.CachedPromptTokens, description: "Prompt tokens served from the prefix cache (any tier).");
        meter.CreateObservableGauge("strata_prefix_cache_blocks", () => engine.Stats.CachedBlocks, description: "Full blocks in the working pool findable by content.");
        meter.CreateObservableCounter("strata_prefix_cache_evictions_total", () => engine.Stats.CacheEvictions, description: "Cached blocks evicted from the working pool.");
        meter.CreateObservableCounter("strata_kv_prefetch_total", () => engine.Stats.Prefetches, description: "Loads of cached blocks from lower tiers.");
        meter.CreateObservableCounter("strata_kv_prefetch_seconds_total", () => engine.Stats.PrefetchSeconds, description: "Time spent on those loads, from request admission to blocks in memory.");

        PerTier(meter, "strata_kv_tier_loaded_blocks_total", "Blocks a lower tier loaded into the working pool.", Tiers, t => Traffic(t).Blocks);
        PerTier(meter, "strata_kv_tier_loaded_bytes_total", "Bytes a lower tier loaded into the working pool.", Tiers, t => Traffic(t).Bytes);
        PerTier(meter, "strata_kv_tier_load_seconds_total", "Time a lower tier spent loading (bytes / seconds is its MB/s).", Tiers, t => Traffic(t).Seconds);
        PerTier(meter, "strata_kv_tier_hits_total", "Block reads a tier answered.", Tiers, t => t switch
        {
            "host" => engine.HostCacheStats?.Hits, "disk" => engine.DiskCacheStats?.Hits, _ => engine.RemoteCacheStats?.Hits,
        });
        PerTier(meter, "strata_kv_tier_misses_total", "Block reads a tier could not answer.", Tiers, t => t switch
        {
            "host" => engine.HostCacheStats?.Misses, "disk" => engine.DiskCacheStats?.Misses, _ => engine.RemoteCacheStats?.Misses,
        });
        PerTier(meter, "strata_kv_tier_written_bytes_total", "Bytes stored into a tier.", Tiers, t => t switch
        {
            "host" => engine.HostCacheStats?.BytesWritten, "disk" => engine.DiskCacheStats?.BytesWritten, _ => engine.RemoteCacheStats?.BytesWritten,
        });
        PerTier(meter, "strata_kv_tier_evictions_total", "Blocks a tier dropped to stay within its size.", LocalTiers,
            t => t == "host" ? engine.HostCacheStats?.Evictions : engine.DiskCacheStats?.Evictions);
        meter.CreateObservableGauge("strata_kv_tier_blocks", () => Measure(LocalTiers, t => t == "host" ? engine.HostCacheStats?.Blocks : engine.DiskCacheStats?.Blocks),
            description: "Blocks a tier holds.");
        meter.CreateObservableGauge("strata_kv_tier_bytes", () => Measure(LocalTiers, t => t == "host" ? engine.HostCacheStats?.Bytes : engine.DiskCacheStats?.LiveBytes),
            description: "Bytes a tier holds.");

        Single(meter, "strata_kv_disk_compactions_total", "Disk tier compactions.", () => engine.DiskCacheStats?.Compactions);
        Single(meter, "strata_kv_disk_expired_total", "Disk tier blocks removed by their TTL.", () => engine.DiskCacheStats?.Expirations);
        Single(meter, "strata_kv_disk_corrupt_total", "Damaged disk records dropped, never served.", () => engine.DiskCacheStats?.CorruptRecordsDropped);
        Single(meter, "strata_kv_remote_errors_total", "Remote store operations that failed.", () => engine.RemoteCacheStats?.Errors);
        Single(meter, "strata_kv_remote_rejected_total", "Remote values ignored as corrupt or from another model.",
            () => engine.RemoteCacheStats is { } remote ? remote.RejectedCorrupt + remote.RejectedForeign : null);
        Single(meter, "strata_kv_remote_dropped_publishes_total", "Blocks not published (queue full or store down).", () => engine.RemoteCacheStats?.DroppedPublishes);
        Single(meter, "strata_kv_remote_read_seconds_total", "Time spent reading from the remote store.", () => engine.RemoteCacheStats?.ReadTime.TotalSeconds);
        meter.CreateObservableGauge("strata_kv_remote_breaker_open",
            () => engine.RemoteCacheStats is { } remote ? [new Measurement<int>(remote.Breaker == BreakerState.Closed ? 0 : 1)] : Array.Empty<Measurement<int>>(),
            description: "1 while the circuit breaker keeps the node off the remote store.");
    }

    // Every tier reports its traffic, zero when the engine has no such tier, as the scrape always has.
    private Engine.Caching.TierTraffic Traffic(string tier) => _engine.TierTraffic.GetValueOrDefault(tier);

    private static void PerTier(Meter meter, string name, string description, string[] tiers, Func<string, double?> value) =>
        meter.CreateObservableCounter(name, () => Measure(tiers, value), description: description);

    private static void Single(Meter meter, string name, string description, Func<double?> value) =>
        meter.CreateObservableCounter(name, () => value() is { } v ? [new Measurement<double>(v)] : Array.Empty<Measurement<double>>(), description: description);

    private static IEnumerable<Measurement<double>> Measure(string[] tiers, Func<string, double?> value)
    {
        foreach (var tier in tiers)
        {
            if (value(tier) is { } v)
                yield return new Measurement<double>(v, new KeyValuePair<string, object?>("tier", tier));
        }
    }
}
