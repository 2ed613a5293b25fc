using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// What the benchmark needs from one streamed JSON chunk of either endpoint: generated text
/// (<c>choices[0].text</c>, or <c>choices[0].delta.content</c> / <c>reasoning_content</c> for chat), the usage, or an
/// error the server reported mid-stream.
/// </summary>
internal readonly record struct StreamChunk(string? Text, TokenUsage? Usage, string? Error)
{
    public static StreamChunk Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new JsonException($"a stream chunk must be a JSON object, got {root.ValueKind}");
        if (root.TryGetProperty("error", out var error))
            return new StreamChunk(null, null, ErrorMessage.From(error));
        return new StreamChunk(TextOf(root), UsageOf(root), null);
    }

    private static string? TextOf(JsonElement root)
    {
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            return null;
        var choice = choices[0];
        if (StringProperty(choice, "text") is { } text)
            return text;
        if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
            return null;
        return StringProperty(delta, "content") is { Length: > 0 } content ? content : StringProperty(delta, "reasoning_content");
    }

    private static TokenUsage? UsageOf(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
            return null;
        int? cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
            ? IntProperty(details, "cached_tokens")
            : null;
        return new TokenUsage(IntProperty(usage, "prompt_tokens") ?? 0, IntProperty(usage, "completion_tokens") ?? 0, cached);
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? IntProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
