using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strata.Server.Protocol;

/// <summary>
/// Turns the request's <c>messages</c> into what chat templates expect: every message an object with a string
/// <c>role</c>, and <c>content</c> a plain string (text parts are joined with newlines, as vLLM does) or null.
/// Other fields (<c>name</c>, <c>tool_calls</c>, …) pass through for templates that use them.
/// </summary>
internal static class ChatMessages
{
    private const string Param = "messages";

    public static JsonArray Normalize(JsonElement? messages)
    {
        if (messages is not { } array)
            throw ApiException.BadRequest("You must provide messages.", Param);
        if (array.ValueKind != JsonValueKind.Array)
            throw JsonFields.WrongType(Param, "an array", array);
        if (array.GetArrayLength() == 0)
            throw ApiException.BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", Param);
        var normalized = new JsonArray();
        var index = 0;
        foreach (var message in array.EnumerateArray())
            normalized.Add(Message(message, $"{Param}[{index++}]"));
        return normalized;
    }

    private static JsonObject Message(JsonElement message, string param)
    {
        if (message.ValueKind != JsonValueKind.Object)
            throw JsonFields.WrongType(param, "an object", message);
        var fields = new JsonFields(message, param + ".");
        if (fields.String("role") is null)
            throw Missing(fields.Param("role"));
        var node = JsonNode.Parse(message.GetRawText())!.AsObject();
        node["content"] = Content(fields.Find("content"), fields.Param("content"));
        if (node["tool_calls"] is JsonArray calls)
            ParseArguments(calls);
        return node;
    }

    // Clients send a call's arguments as JSON text; templates (as Hugging Face renders them) expect the object.
    private static void ParseArguments(JsonArray calls)
    {
        foreach (var call in calls)
        {
            if (call?["function"] is not JsonObject function || function["arguments"] is not JsonValue text || !text.TryGetValue<string>(out var json))
                continue;
            try
            {
                function["arguments"] = JsonNode.Parse(json);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON: the template gets the text as it came.
            }
        }
    }

    private static string? Content(JsonElement? content, string param) => content switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Array } parts => string.Join('\n', parts.EnumerateArray().Select((part, i) => TextPart(part, $"{param}[{i}]"))),
        { } other => throw JsonFields.WrongType(param, "a string or an array of content parts", other),
    };

    private static string TextPart(JsonElement part, string param)
    {
        if (part.ValueKind != JsonValueKind.Object)
            throw JsonFields.WrongType(param, "a content part object", part);
        var fields = new JsonFields(part, param + ".");
        var type = fields.String("type");
        if (type != "text")
            throw ApiException.BadRequest($"Invalid '{fields.Param("type")}': only text content parts are supported, got '{type}'.", fields.Param("type"));
        return fields.String("text") ?? throw Missing(fields.Param("text"));
    }

    private static ApiException Missing(string param) => ApiException.BadRequest($"Missing required parameter: '{param}'.", param);
}
