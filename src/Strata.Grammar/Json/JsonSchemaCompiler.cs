using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Strata.Grammar.Json;

/// <summary>
/// Compiles a JSON schema to GBNF whose sentences are exactly the JSON documents (in the property order the schema
/// declares) that validate. Supported: <c>type</c> (one or a list), <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c> (false, or a schema for objects without <c>properties</c>), <c>items</c>,
/// <c>minItems</c>/<c>maxItems</c>, <c>minLength</c>/<c>maxLength</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c> and
/// <c>$ref</c> within the schema (<c>#</c>, <c>#/$defs/…</c>, <c>#/definitions/…</c>); annotations are ignored.
/// Anything else is refused with a <see cref="GrammarException"/> naming the keywords and where they are.
/// </summary>
public sealed class JsonSchemaCompiler
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly", "strict",
    };

    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength",
        "enum", "const", "anyOf", "$ref", "$defs", "definitions",
    };

    private static readonly JsonWriterOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly StringBuilder _rules = new();
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);
    private readonly List<string> _unsupported = [];
    private JsonElement _root;
    private string _prefix = "";
    private int _nextRule;

    /// <summary>The GBNF of <paramref name="schema"/> (start rule <c>root</c>).</summary>
    /// <exception cref="GrammarException">The schema uses features that cannot be compiled.</exception>
    public static string ToGbnf(JsonElement schema)
    {
        var compiler = new JsonSchemaCompiler();
        return compiler.ToGbnf(compiler.Add(schema, "schema"));
    }

    /// <summary>
    /// Adds the rules of <paramref name="schema"/> (its <c>$ref</c>s resolve within it) and returns the name of the
    /// rule matching its values, for use in a larger grammar.
    /// </summary>
    /// <exception cref="GrammarException">The schema uses features that cannot be compiled.</exception>
    public string Add(JsonElement schema, string name)
    {
        _root = schema;
        _prefix = name;
        _unsupported.Clear();
        var rule = Visit(schema, "#");
        if (_unsupported.Count > 0)
            throw new GrammarException($"unsupported JSON schema features: {string.Join(", ", _unsupported)}");
        return rule;
    }

    /// <summary>The whole grammar: <c>root ::= </c><paramref name="rootExpression"/>, the added schemas' rules and the JSON rules.</summary>
    public string ToGbnf(string rootExpression) => $"root ::= {rootExpression}\n{_rules}{JsonGrammar.Rules}";

    /// <summary>A GBNF literal matching exactly <paramref name="text"/>.</summary>
    public static string GbnfLiteral(string text)
    {
        var literal = new StringBuilder("\"");
        foreach (var c in text)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        }
        return literal.Append('"').ToString();
    }

    /// <summary>A GBNF expression for the values <paramref name="schema"/> (found at JSON pointer <paramref name="path"/>) accepts.</summary>
    private string Visit(JsonElement schema, string path)
    {
        if (schema.ValueKind == JsonValueKind.True)
            return "value";
        if (schema.ValueKind != JsonValueKind.Object)
        {
            _unsupported.Add($"a schema that is not an object at '{path}'");
            return "value";
        }
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Supported.Contains(keyword.Name) && !Annotations.Contains(keyword.Name))
                _unsupported.Add($"'{keyword.Name}' at '{path}'");
        }
        if (schema.TryGetProperty("$ref", out var reference))
            return Reference(reference, path);
        if (schema.TryGetProperty("const", out var constant))
            return Literal(constant);
        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            {
                _unsupported.Add($"'enum' that is not a non-empty array at '{path}'");
                return "value";
            }
            return Define(path, string.Join(" | ", values.EnumerateArray().Select(Literal)));
        }
        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            if (anyOf.ValueKind != JsonValueKind.Array || anyOf.GetArrayLength() == 0)
            {
                _unsupported.Add($"'anyOf' that is not a non-empty array at '{path}'");
                return "value";
            }
            if (schema.TryGetProperty("type", out _) || schema.TryGetProperty("properties", out _) || schema.TryGetProperty("items", out _))
                _unsupported.Add($"'anyOf' beside 'type', 'properties' or 'items' at '{path}'");
            return Define(path, string.Join(" | ", anyOf.EnumerateArray().Select((s, i) => Visit(s, $"{path}/anyOf/{i}"))));
        }
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
                return Typed(schema, type.GetString()!, path);
            if (type.ValueKind == JsonValueKind.Array && type.GetArrayLength() > 0 && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String))
                return Define(path, string.Join(" | ", type.EnumerateArray().Select(t => Typed(schema, t.GetString()!, path))));
            _unsupported.Add($"'type' that is not a type name or a list of them at '{path}'");
            return "value";
        }
        if (schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _))
            return Typed(schema, "object", path);
        if (schema.TryGetProperty("items", out _))
            return Typed(schema, "array", path);
        return "value";
    }

    private string Typed(JsonElement schema, string type, string path)
    {
        switch (type)
        {
            case "string":
                return String(schema, path);
            case "number":
            case "integer":
            case "boolean":
            case "null":
                return type;
            case "object":
                return Object(schema, path);
            case "array":
                return Array(schema, path);
            default:
                _unsupported.Add($"type '{type}' at '{path}'");
                return "value";
        }
    }

    private string String(JsonElement schema, string path)
    {
        var min = Count(schema, "minLength", path) ?? 0;
        var max = Count(schema, "maxLength", path);
        if (min == 0 && max is null)
            return "string";
        return Define(path, $"\"\\\"\" char{Bounds(min, max)} \"\\\"\"");
    }

    private string Object(JsonElement schema, string path)
    {
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().ToList()
            : [];
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var name in required.Where(n => properties.All(q => q.Name != n)))
            _unsupported.Add($"required property '{name}' that 'properties' does not define at '{path}'");

        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
        if (properties.Count == 0)
        {
            // No named properties: a map whose values follow additionalProperties (anything when absent or true).
            if (additional.ValueKind == JsonValueKind.False)
                return Define(path, "\"{\" ws \"}\"");
            var valueRule = additional.ValueKind is JsonValueKind.Object ? Visit(additional, path + "/additionalProperties") : "value";
            var member = Define(path + "-member", $"string ws \":\" ws {valueRule} ws");
            return Define(path, $"\"{{\" ws ({member} (\",\" ws {member})*)? \"}}\"");
        }
        if (additional.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.False))
            _unsupported.Add($"'additionalProperties' other than false beside 'properties' at '{path}'");

        var members = properties.Select(q => (
            Rule: Define($"{path}/properties/{q.Name}-kv", $"{Literal(q.Name)} ws \":\" ws {Visit(q.Value, $"{path}/properties/{q.Name}")} ws"),
            Required: required.Contains(q.Name))).ToList();
        var requiredMembers = members.Where(m => m.Required).Select(m => m.Rule).ToList();
        var optionalMembers = members.Where(m => !m.Required).Select(m => m.Rule).ToList();
        string body;
        if (requiredMembers.Count > 0)
        {
            // Required members in order, then each optional one, preceded by a comma, may follow.
            body = string.Join(" \",\" ws ", requiredMembers) + string.Concat(optionalMembers.Select(m => $" (\",\" ws {m})?"));
        }
        else
        {
            // No required member: the first one present starts without a comma.
            var alternatives = optionalMembers.Select((m, i) => m + string.Concat(optionalMembers.Skip(i + 1).Select(o => $" (\",\" ws {o})?")));
            body = $"({string.Join(" | ", alternatives)})?";
        }
        return Define(path, $"\"{{\" ws {body} \"}}\"");
    }

    private string Array(JsonElement schema, string path)
    {
        var item = schema.TryGetProperty("items", out var items) ? Visit(items, path + "/items") : "value";
        var min = Count(schema, "minItems", path) ?? 0;
        var max = Count(schema, "maxItems", path);
        if (max < min)
            _unsupported.Add($"'maxItems' below 'minItems' at '{path}'");
        if (max == 0)
            return Define(path, "\"[\" ws \"]\"");
        var rest = $"(\",\" ws {item} ws){Bounds(Math.Max(min - 1, 0), max - 1)}";
        var elements = $"{item} ws {rest}";
        return Define(path, min == 0 ? $"\"[\" ws ({elements})? \"]\"" : $"\"[\" ws {elements} \"]\"");
    }

    private string Reference(JsonElement reference, string path)
    {
        var target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        if (_refs.TryGetValue(_prefix + target, out var known))
            return known;
        if (Resolve(target) is not { } resolved)
        {
            _unsupported.Add($"'$ref' to '{target}' (only references within the schema) at '{path}'");
            return "value";
        }
        // Named before it is visited, so a recursive reference finds the rule.
        var rule = NewRuleName(target);
        _refs[_prefix + target] = rule;
        var expression = Visit(resolved, target);
        _rules.Append(rule).Append(" ::= ").Append(expression).Append('\n');
        return rule;
    }

    private JsonElement? Resolve(string pointer)
    {
        if (pointer == "#")
            return _root;
        if (!pointer.StartsWith("#/", StringComparison.Ordinal))
            return null;
        var node = _root;
        foreach (var raw in pointer[2..].Split('/'))
        {
            var part = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(part, out var child))
                node = child;
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(part, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < node.GetArrayLength())
                node = node[index];
            else
                return null;
        }
        return node;
    }

    private int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count is >= 0 and <= 10_000)
            return count;
        _unsupported.Add($"'{keyword}' that is not an integer in [0, 10000] at '{path}'");
        return null;
    }

    private static string Bounds(int min, int? max) => max is { } m ? $"{{{min},{m}}}" : $"{{{min},}}";

    private string Define(string path, string expression)
    {
        var rule = NewRuleName(path);
        _rules.Append(rule).Append(" ::= ").Append(expression).Append('\n');
        return rule;
    }

    private string NewRuleName(string path)
    {
        var name = new StringBuilder();
        foreach (var c in _prefix + path)
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        return name.Append('-').Append(_nextRule++).ToString();
    }

    /// <summary>A GBNF literal matching exactly the compact JSON text of <paramref name="value"/>.</summary>
    private static string Literal(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactJson))
            value.WriteTo(writer);
        return GbnfLiteral(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Literal(string name) => GbnfLiteral(JsonSerializer.Serialize(name, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}
