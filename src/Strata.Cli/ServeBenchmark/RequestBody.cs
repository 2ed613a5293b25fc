using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>The JSON body of a streamed completion or chat request, with usage asked for in the last chunk.</summary>
internal static class RequestBody
{
    public static byte[] Create(RequestSettings settings, BenchmarkRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", settings.Model);
            if (settings.Endpoint == ApiEndpoint.ChatCompletions)
                WriteMessages(json, request);
            else
                json.WriteString("prompt", request.CompletionText);
            json.WriteNumber("max_tokens", request.MaxTokens);
            if (request.Tier is { } tier)
                json.WriteString("service_tier", Strata.Engine.Control.Tiers.Name(tier));
            json.WriteNumber("temperature", settings.Temperature);
            if (settings.IgnoreEos)
                json.WriteBoolean("ignore_eos", true);
            if (settings.LogitBias is { } bias)
            {
                json.WritePropertyName("logit_bias");
                bias.WriteTo(json);
            }
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteMessages(Utf8JsonWriter json, BenchmarkRequest request)
    {
        json.WriteStartArray("messages");
        if (request.SystemPrompt is not null)
            WriteMessage(json, "system", request.SystemPrompt);
        WriteMessage(json, "user", request.Prompt);
        json.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }
}
