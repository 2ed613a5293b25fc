using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Responses;

namespace Strata.Server.Endpoints;

/// <summary><c>GET /v1/models</c>: the one model this server runs.</summary>
internal sealed class ModelsEndpoint(EngineHost host)
{
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            json.WriteStartObject();
            json.WriteString("id", host.ModelName);
            json.WriteString("object", "model");
            json.WriteNumber("created", _created);
            json.WriteString("owned_by", "strata");
            json.WriteNumber("max_model_len", host.MaxModelLength);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync();
    }
}
