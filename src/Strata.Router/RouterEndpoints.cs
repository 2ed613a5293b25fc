using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Server.Metrics;

namespace Strata.Router;

/// <summary>The router's own answers: <c>/health</c> (its nodes) and <c>/metrics</c> (its counters, each node's view).</summary>
internal sealed class RouterEndpoints(ClusterView cluster, RouterMetrics metrics)
{
    public async Task HealthAsync(HttpContext context)
    {
        var reachable = cluster.Members.Any(m => m.Reachable);
        context.Response.StatusCode = reachable ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("status", reachable ? "ok" : "no_node_reachable");
            json.WriteStartArray("nodes");
            foreach (var member in cluster.Members)
            {
                json.WriteStartObject();
                json.WriteString("url", member.BaseAddress.ToString());
                json.WriteString("role", member.Role);
                json.WriteBoolean("reachable", member.Reachable);
                json.WriteNumber("active_requests", member.ActiveRequests);
                json.WriteNumber("cached_blocks", member.Blocks.Count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync();
    }

    public async Task MetricsAsync(HttpContext context)
    {
        var text = new PrometheusText();
        text.Counter("strata_router_retries_total", "Requests sent to another node after a node failed before answering", metrics.Retries);
        text.Counter("strata_router_stream_failures_total", "Streams ended with an error event because their node failed mid-stream", metrics.StreamFailures);
        text.Counter("strata_router_prompt_blocks_total", "Prompt blocks of the routed requests", metrics.PromptBlocks);
        text.Counter("strata_router_cached_prompt_blocks_total", "Prompt blocks the chosen node held when a request was sent (weighted by tier)", metrics.CachedBlocks);
        text.Counter("strata_router_disaggregated_total", "Requests whose prompt a prefill node computed and handed to a decode node", metrics.Disaggregated);
        text.Counter("strata_router_prefilled_locally_total", "Requests of a prefill/decode cluster a decode node computed alone (short or mostly cached prompts)", metrics.PrefilledLocally);
        text.Counter("strata_router_prefill_failures_total", "Prefill legs a prefill node failed", metrics.PrefillFailures);
        PerNode(text, "strata_router_node_up", "gauge", "1 when the node's KV event stream is open", m => m.Reachable ? 1 : 0);
        PerNode(text, "strata_router_node_requests_total", "counter", "Requests sent to the node", m => m.Requests);
        PerNode(text, "strata_router_node_active_requests", "gauge", "Requests in flight on the node", m => m.ActiveRequests);
        PerNode(text, "strata_router_node_active_blocks", "gauge", "Blocks of the requests in flight on the node", m => m.ActiveBlocks);
        PerNode(text, "strata_router_node_cached_blocks", "gauge", "Blocks the node holds in any tier, as its KV events tell", m => m.Blocks.Count);
        context.Response.ContentType = PrometheusText.ContentType;
        await context.Response.WriteAsync(text.ToString());
    }

    private void PerNode(PrometheusText text, string name, string type, string help, Func<Nodes.ClusterMember, double> value)
    {
        text.Family(name, type, help);
        foreach (var member in cluster.Members)
            text.Sample(name, value(member), "node", member.Name);
    }
}
