using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Strata.Router;

/// <summary>The router's own <c>/health</c>: its nodes, and 503 while none is reachable.</summary>
internal sealed class RouterEndpoints(ClusterView cluster)
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
}
