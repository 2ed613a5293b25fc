using System.Collections.Concurrent;
using Strata.Engine;

namespace Strata.Server.Metrics;

/// <summary>
/// The server's metrics: API requests by status and per-request latencies, measured here, plus the engine's own
/// state (sequences, KV blocks, preemptions, tokens) read from its latest stats snapshot at scrape time.
/// </summary>
internal sealed class ServerMetrics
{
    private readonly ConcurrentDictionary<int, long> _requestsByStatus = new();

    public Histogram TimeToFirstToken { get; } = new("strata_time_to_first_token_seconds",
        "Time from submitting a request to its first generated token.",
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]);

    public Histogram TimePerOutputToken { get; } = new("strata_time_per_output_token_seconds",
        "Mean time between generated tokens after the first, per request.",
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5]);

    public Histogram EndToEndLatency { get; } = new("strata_e2e_request_latency_seconds",
        "Time from submitting a request to its last generated token.",
        [0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240]);

    public void CountRequest(int status) => _requestsByStatus.AddOrUpdate(status, 1, (_, count) => count + 1);

    /// <param name="maxSequences">The configured cap on running sequences, beside the peak the engine reached.</param>
    public PrometheusText Render(EngineStats engine, int maxSequences)
    {
        var text = new PrometheusText();
        text.Family("strata_requests_total", "counter", "API requests answered, by HTTP status (499: the client went away first).");
        foreach (var (status, count) in _requestsByStatus.OrderBy(pair => pair.Key))
            text.Sample("strata_requests_total", count, "status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        TimeToFirstToken.WriteTo(text);
        TimePerOutputToken.WriteTo(text);
        EndToEndLatency.WriteTo(text);
        text.Gauge("strata_sequences_running", "Sequences in the running batch.", engine.RunningSequences);
        text.Gauge("strata_sequences_running_peak", "The most sequences running after any engine step since the start.", engine.PeakRunningSequences);
        text.Gauge("strata_sequences_max", "The cap on running sequences (--max-num-seqs).", maxSequences);
        text.Gauge("strata_sequences_waiting", "Sequences waiting to be scheduled.", engine.WaitingSequences);
        text.Gauge("strata_kv_blocks_used", "KV cache blocks held by sequences.", engine.KvBlocksUsed);
        text.Gauge("strata_kv_blocks_free", "KV cache blocks free.", engine.KvBlocksFree);
        text.Counter("strata_preemptions_total", "Sequences preempted to free KV blocks.", engine.Preemptions);
        text.Counter("strata_prompt_tokens_total", "Prompt tokens computed (prefill).", engine.PromptTokensComputed);
        text.Counter("strata_generation_tokens_total", "Tokens generated.", engine.GeneratedTokens);
        text.Counter("strata_engine_steps_total", "Engine steps run.", engine.Steps);
        text.Gauge("process_resident_memory_bytes", "Resident memory of the server process.", Environment.WorkingSet);
        return text;
    }
}
