namespace Strata.Grammar.Tests;

/// <summary>The JSON schemas structured output must always satisfy: every supported keyword, alone and combined.</summary>
internal static class SchemaSuite
{
    public static readonly IReadOnlyDictionary<string, string> Schemas = new Dictionary<string, string>
    {
        ["person"] = """
            {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
             "required": ["name", "age"], "additionalProperties": false}
            """,
        ["enum-boolean-null"] = """
            {"type": "object", "properties": {"color": {"enum": ["red", "green", "blue"]}, "ok": {"type": "boolean"},
             "none": {"type": "null"}}, "required": ["color", "ok", "none"], "additionalProperties": false}
            """,
        ["bounded-array"] = """{"type": "array", "items": {"type": "number"}, "minItems": 1, "maxItems": 4}""",
        ["string-lengths"] = """
            {"type": "object", "properties": {"code": {"type": "string", "minLength": 3, "maxLength": 5}},
             "required": ["code"], "additionalProperties": false}
            """,
        ["any-of"] = """
            {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 8},
             {"type": "array", "items": {"type": "boolean"}, "maxItems": 3}]}
            """,
        ["recursive-ref"] = """
            {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {"value": {"type": "integer"},
             "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
             "required": ["value", "children"], "additionalProperties": false}}}
            """,
        ["optional-properties"] = """
            {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
             "additionalProperties": false}
            """,
        ["const-and-type-list"] = """
            {"type": "object", "properties": {"kind": {"const": "point"}, "x": {"type": ["number", "null"]}},
             "required": ["kind", "x"], "additionalProperties": false}
            """,
        ["free-object"] = """{"type": "object"}""",
        ["nested"] = """
            {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
             "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 6},
             "maxItems": 3}}, "required": ["id", "tags"], "additionalProperties": false}}}, "required": ["items"],
             "additionalProperties": false}
            """,
        ["unicode-enum"] = """{"enum": ["café", "🤖", "a\"b", {"k": [1, null]}]}""",
        ["map-of-integers"] = """{"type": "object", "additionalProperties": {"type": "integer"}}""",
    };
}
