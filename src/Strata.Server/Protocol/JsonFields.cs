using System.Text.Json;

namespace Strata.Server.Protocol;

/// <summary>
/// Typed reads of a request object's fields. A missing field and an explicit <c>null</c> both read as absent (as the
/// OpenAI API treats them); a value of the wrong JSON type is a 400 naming the field by its full path.
/// </summary>
/// <param name="path">How errors name this object's fields, such as <c>messages[0].</c>; empty at the top level.</param>
internal readonly struct JsonFields(JsonElement obj, string path = "")
{
    /// <summary>The name errors give the field <paramref name="name"/>.</summary>
    public string Param(string name) => path + name;

    public JsonElement? Find(string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } value => throw WrongType(Param(name), "a string", value),
    };

    public bool? Boolean(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { } value => throw WrongType(Param(name), "a boolean", value),
    };

    public int? Int32(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        { } value => throw WrongType(Param(name), "an integer", value),
    };

    public long? Int64(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) => number,
        { ValueKind: JsonValueKind.Number } value when value.TryGetUInt64(out var number) => unchecked((long)number),
        { } value => throw WrongType(Param(name), "an integer", value),
    };

    public double? Number(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetDouble(out var number) && double.IsFinite(number) => number,
        { } value => throw WrongType(Param(name), "a number", value),
    };

    public JsonElement? Object(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } value => value,
        { } value => throw WrongType(Param(name), "an object", value),
    };

    public static ApiException WrongType(string param, string expected, JsonElement value) =>
        ApiException.BadRequest($"Invalid type for '{param}': expected {expected}, but got {Describe(value)} instead.", param);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a non-integer or out-of-range number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
