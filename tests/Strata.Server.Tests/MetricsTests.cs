using Strata.Engine.Speculation;
using Strata.TestSupport.Stores;

namespace Strata.Server.Tests;

/// <summary>The Prometheus scrape at <c>/metrics</c>: every documented series, under the names it has always had.</summary>
public sealed class MetricsTests : IDisposable
{
    /// <summary>The series docs/architecture.md documents, with their Prometheus types: dashboards depend on these names.</summary>
    private static readonly string[] Golden =
    [
        "strata_requests_total counter",
        "strata_time_to_first_token_seconds histogram",
        "strata_time_per_output_token_seconds histogram",
        "strata_e2e_request_latency_seconds histogram",
        "strata_sequences_running gauge",
        "strata_sequences_running_peak gauge",
        "strata_sequences_max gauge",
        "strata_sequences_waiting gauge",
        "strata_kv_blocks_used gauge",
        "strata_kv_blocks_free gauge",
        "strata_preemptions_total counter",
        "strata_prompt_tokens_total counter",
        "strata_generation_tokens_total counter",
        "strata_engine_steps_total counter",
        "strata_kv_integrity_ok gauge",
        "process_resident_memory_bytes gauge",
        "strata_prefix_cache_prompt_tokens_total counter",
        "strata_prefix_cache_hit_tokens_total counter",
        "strata_prefix_cache_blocks gauge",
        "strata_prefix_cache_evictions_total counter",
        "strata_kv_prefetch_total counter",
        "strata_kv_prefetch_seconds_total counter",
        "strata_kv_tier_loaded_blocks_total counter",
        "strata_kv_tier_loaded_bytes_total counter",
        "strata_kv_tier_load_seconds_total counter",
        "strata_kv_tier_hits_total counter",
        "strata_kv_tier_misses_total counter",
        "strata_kv_tier_written_bytes_total counter",
        "strata_kv_tier_blocks gauge",
        "strata_kv_tier_bytes gauge",
        "strata_kv_tier_evictions_total counter",
        "strata_kv_disk_compactions_total counter",
        "strata_kv_disk_expired_total counter",
        "strata_kv_disk_corrupt_total counter",
        "strata_kv_remote_errors_total counter",
        "strata_kv_remote_rejected_total counter",
        "strata_kv_remote_dropped_publishes_total counter",
        "strata_kv_remote_read_seconds_total counter",
        "strata_kv_remote_breaker_open gauge",
        // Service tiers: latencies, attainment, refusals, queues, the predictor and the step cost law it fits.
        "strata_tier_time_to_first_token_seconds histogram",
        "strata_tier_time_per_output_token_seconds histogram",
        "strata_slo_requests_total counter",
        "strata_slo_met_total counter",
        "strata_rejections_total counter",
        "strata_queue_depth gauge",
        "strata_tier_sequences_running gauge",
        "strata_predicted_ttft_seconds histogram",
        "strata_predicted_ttft_relative_error histogram",
        "strata_step_cost_seconds gauge",
        // Speculative decoding (when it is on).
        "strata_spec_draft_tokens_total counter",
        "strata_spec_accepted_tokens_total counter",
        "strata_spec_accepted_drafts_per_verification histogram",
        // The OpenTelemetry GenAI server metrics.
        "gen_ai_server_time_to_first_token_seconds histogram",
        "gen_ai_server_time_per_output_token_seconds histogram",
        "gen_ai_server_request_duration_seconds histogram",
        // ASP.NET Core, Kestrel and the runtime.
        "http_server_request_duration_seconds histogram",
        "kestrel_active_connections gauge",
        "dotnet_gc_collections_total counter",
        "dotnet_process_cpu_time_seconds_total counter",
        "dotnet_process_memory_working_set_bytes gauge",
    ];

    private readonly string _disk = Directory.CreateTempSubdirectory("strata-metrics-").FullName;

    [Fact]
    public async Task Scrape_EveryTier_HasEveryDocumentedSeries()
    {
        using var store = StoreServer.Start();
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with
        {
            HostCacheBytes = 4L << 20,
            DiskCacheDirectory = _disk,
            RemoteCacheUrl = store.Url,
            Speculation = new SpeculationOptions { Method = SpeculativeMethod.Ngram, CostAware = false },
        });
        // Repeating itself, so that prompt lookup drafts tokens.
        await server.GreedyTextAsync("Lily saw a big red ball in the park. She wanted to play with the ball. Lily saw a big red ball", 24);

        var text = await server.Http.GetStringAsync("/metrics");

        var missing = Golden.Where(family => !text.Contains($"# TYPE {family}\n", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
        Assert.Contains("strata_kv_tier_hits_total{tier=\"remote\"} ", text);
        Assert.Contains("strata_kv_tier_bytes{tier=\"disk\"} ", text);
        Assert.Contains("gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name=\"text_completion\",gen_ai_request_model=\"" + server.ModelName + "\"} 1", text);
        Assert.Equal(1, await server.MetricAsync("strata_requests_total{status=\"200\"}"));
        Assert.Equal(1, await server.MetricAsync("strata_slo_requests_total{tier=\"default\"}"));
        Assert.Contains("strata_tier_time_to_first_token_seconds_count{tier=\"default\"} 1", text);
        Assert.Contains("strata_rejections_total{reason=\"queue_full\",tier=\"flex\"} 0", text);
        Assert.Equal(await server.MetricAsync("strata_spec_accepted_tokens_total{method=\"ngram\"}"),
            await server.MetricAsync("strata_spec_accepted_drafts_per_verification_sum{method=\"ngram\"}"));
        Assert.Equal(server.Engine.KvBlockCount, await server.MetricAsync("strata_kv_blocks_free") + await server.MetricAsync("strata_kv_blocks_used"));
    }

    public void Dispose() => Directory.Delete(_disk, recursive: true);
}
