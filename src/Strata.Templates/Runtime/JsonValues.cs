using System.Text.Json;
using System.Text.Json.Nodes;
using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>Converts JSON input to template values the way Python's json.loads would: "1" is an int, "1.0" a float.</summary>
internal static class JsonValues
{
    public static Value FromNode(JsonNode? node)
    {
        RuntimeStack.EnsureRoom();
        return node switch
        {
            null => NoneValue.Instance,
            JsonObject obj => new DictValue(obj.Select(p => new KeyValuePair<Value, Value>(StringValue.Of(p.Key), FromNode(p.Value)))),
            JsonArray array => new ListValue(array.Select(FromNode).ToList()),
            JsonValue value => FromScalar(value),
            _ => throw new ArgumentException($"unsupported JSON node {node.GetType().Name}", nameof(node)),
        };
    }

    private static Value FromScalar(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return StringValue.Of(value.GetValue<string>());
            case JsonValueKind.True:
                return BoolValue.True;
            case JsonValueKind.False:
                return BoolValue.False;
            case JsonValueKind.Number:
                if (value.TryGetValue<JsonElement>(out var element))
                    return IsIntegerLiteral(element.GetRawText()) && element.TryGetInt64(out var parsed) ? IntValue.Of(parsed) : new FloatValue(element.GetDouble());
                if (value.TryGetValue<long>(out var integer))
                    return IntValue.Of(integer);
                return new FloatValue(value.GetValue<double>());
            default:
                return NoneValue.Instance;
        }
    }

    private static bool IsIntegerLiteral(string text) => text.AsSpan().IndexOfAny(".eE") < 0;
}
