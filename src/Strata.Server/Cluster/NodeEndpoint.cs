using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Engine;
using Strata.Server.Responses;

namespace Strata.Server.Cluster;

/// <summary>
/// <c>GET /cluster/node</c>: the node's role, cache identity and load, for a router. Made once the engine has loaded;
/// until then the route answers 503 (model_loading), which a router takes as a node not yet reachable.
/// </summary>
internal sealed class NodeEndpoint(InferenceEngine engine, NodeIdentity node)
{
    public async Task HandleAsync(HttpContext context)
    {
        var stats = engine.Stats;
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            json.WriteString("role", node.Role.ToString().ToLowerInvariant());
            json.WriteString("model", engine.Model.Name);
            json.WriteString("cache_fingerprint", engine.CacheFingerprint);
            json.WriteNumber("block_size", engine.Options.BlockSize);
            json.WriteString("kv_dtype", engine.KvDataTypeName);
            json.WriteNumber("kv_blocks_total", engine.KvBlockCount);
            json.WriteNumber("kv_blocks_used", stats.KvBlocksUsed);
            json.WriteNumber("kv_blocks_cached", node.Events.Count(KvEvent.Pool));
            json.WriteNumber("running", stats.RunningSequences);
            json.WriteNumber("waiting", stats.WaitingSequences);
            json.WriteStartObject("leases");
            json.WriteNumber("held", stats.Leases.Held);
            json.WriteNumber("held_blocks", stats.Leases.HeldBlocks);
            json.WriteNumber("granted", stats.Leases.Granted);
            json.WriteNumber("pulled", stats.Leases.Pulled);
            json.WriteNumber("expired", stats.Leases.Expired);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync();
    }
}
