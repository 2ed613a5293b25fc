using System.Text.Json;
using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.Server.Generation;

namespace Strata.Server.Responses;

/// <summary>The fields every completion object and chunk starts with, the service tier that served it among them (as OpenAI echoes it).</summary>
internal sealed record ResponseHeader(string Id, long Created, string Model, ServiceTier Tier)
{
    public static ResponseHeader Create(string idPrefix, string model, ServiceTier tier) =>
        new(idPrefix + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model, tier);

    public void WriteStart(Utf8JsonWriter json, string objectName)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("object", objectName);
        json.WriteNumber("created", Created);
        json.WriteString("model", Model);
        json.WriteString("service_tier", Tiers.Name(Tier));
    }

    public static void WriteUsage(Utf8JsonWriter json, ActiveGeneration generation, int completionTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", generation.PromptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", generation.PromptTokens + completionTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", generation.CachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
