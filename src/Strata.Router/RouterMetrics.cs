using System.Diagnostics.Metrics;
using Strata.Router.Nodes;

namespace Strata.Router;

/// <summary>
/// The router's metrics on the <see cref="MeterName"/> meter, read at <c>/metrics</c> (and over OTLP when configured):
/// its own counters, and each node's figures read live from its member whenever metrics are collected.
/// </summary>
internal sealed class RouterMetrics
{
    public const string MeterName = "Strata.Router";

    private long _retries;
    private long _streamFailures;
    private long _promptBlocks;
    private long _cachedBlocks;
    private long _disaggregated;
    private long _prefilledLocally;
    private long _prefillFailures;

    public RouterMetrics(IMeterFactory meters, ClusterView cluster)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("strata_router_retries_total", () => Interlocked.Read(ref _retries),
            description: "Requests sent to another node after a node failed before answering");
        meter.CreateObservableCounter("strata_router_stream_failures_total", () => Interlocked.Read(ref _streamFailures),
            description: "Streams ended with an error event because their node failed mid-stream");
        meter.CreateObservableCounter("strata_router_prompt_blocks_total", () => Interlocked.Read(ref _promptBlocks),
            description: "Prompt blocks of the routed requests");
        meter.CreateObservableCounter("strata_router_cached_prompt_blocks_total", () => Interlocked.Read(ref _cachedBlocks),
            description: "Prompt blocks the chosen node held when a request was sent (weighted by tier)");
        meter.CreateObservableCounter("strata_router_disaggregated_total", () => Disaggregated,
            description: "Requests whose prompt a prefill node computed and handed to a decode node");
        meter.CreateObservableCounter("strata_router_prefilled_locally_total", () => PrefilledLocally,
            description: "Requests of a prefill/decode cluster a decode node computed alone (short or mostly cached prompts)");
        meter.CreateObservableCounter("strata_router_prefill_failures_total", () => PrefillFailures, description: "Prefill legs a prefill node failed");
        meter.CreateObservableGauge("strata_router_node_up", () => PerNode(cluster, m => m.Reachable ? 1 : 0), description: "1 when the node's KV event stream is open");
        meter.CreateObservableCounter("strata_router_node_requests_total", () => PerNode(cluster, m => m.Requests), description: "Requests sent to the node");
        meter.CreateObservableGauge("strata_router_node_active_requests", () => PerNode(cluster, m => m.ActiveRequests), description: "Requests in flight on the node");
        meter.CreateObservableGauge("strata_router_node_active_blocks", () => PerNode(cluster, m => m.ActiveBlocks), description: "Blocks of the requests in flight on the node");
        meter.CreateObservableGauge("strata_router_node_cached_blocks", () => PerNode(cluster, m => m.Blocks.Count),
            description: "Blocks the node holds in any tier, as its KV events tell");
    }

    /// <summary>Requests whose prompt a prefill node computed, and those sent to a decode node to compute (short or mostly cached).</summary>
    public long Disaggregated => Interlocked.Read(ref _disaggregated);

    public long PrefilledLocally => Interlocked.Read(ref _prefilledLocally);

    /// <summary>Prefill legs a prefill node failed (the next was tried, or the decode node computed the prompt).</summary>
    public long PrefillFailures => Interlocked.Read(ref _prefillFailures);

    public void Disaggregate(bool remote) => Interlocked.Increment(ref remote ? ref _disaggregated : ref _prefilledLocally);

    public void PrefillFailed() => Interlocked.Increment(ref _prefillFailures);

    public void Retried() => Interlocked.Increment(ref _retries);

    public void StreamFailed() => Interlocked.Increment(ref _streamFailures);

    public void Routed(int promptBlocks, double cachedBlocks)
    {
        Interlocked.Add(ref _promptBlocks, promptBlocks);
        Interlocked.Add(ref _cachedBlocks, (long)cachedBlocks);
    }

    private static IEnumerable<Measurement<long>> PerNode(ClusterView cluster, Func<ClusterMember, long> value) =>
        cluster.Members.Select(m => new Measurement<long>(value(m), new KeyValuePair<string, object?>("node", m.Name)));
}
