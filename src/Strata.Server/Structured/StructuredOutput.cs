using System.Text.Json;
using Strata.Grammar;
using Strata.Grammar.Json;
using Strata.Server.Protocol;
using Strata.Server.Tools;

namespace Strata.Server.Structured;

/// <summary>
/// Reads what shape the output must have: <c>response_format</c> (<c>text</c>, <c>json_object</c>, or
/// <c>json_schema</c> with its <c>schema</c>) or a llama.cpp-style GBNF <c>grammar</c>; at most one of them.
/// </summary>
internal static class StructuredOutput
{
    private const string FormatParam = "response_format";
    private const string GrammarParam = "grammar";

    public static OutputGrammar? Parse(JsonFields fields)
    {
        var format = FromResponseFormat(fields);
        var grammar = fields.String(GrammarParam);
        if (format is not null && grammar is not null)
            throw ApiException.BadRequest("Use either 'response_format' or 'grammar', not both.", GrammarParam);
        return grammar is null ? format : new OutputGrammar(grammar, GrammarParam);
    }

    /// <summary>The GBNF of a JSON schema; a 400 naming the schema features that cannot be compiled.</summary>
    public static string SchemaGrammar(JsonElement schema, string param)
    {
        try
        {
            return JsonSchemaCompiler.ToGbnf(schema);
        }
        catch (GrammarException ex)
        {
            throw ApiException.BadRequest($"Invalid '{param}': {ex.Message}.", param, "unsupported_schema");
        }
    }

    /// <summary>The GBNF of calls to <paramref name="tools"/> in the model's format; a 400 naming unsupported argument schemas.</summary>
    public static string ToolGrammar(ToolCallFormat format, IReadOnlyList<ToolFunction> tools, bool parallel)
    {
        try
        {
            return format.Grammar(tools, parallel);
        }
        catch (GrammarException ex)
        {
            throw ApiException.BadRequest($"Invalid 'tools': a function's parameters cannot be enforced: {ex.Message}.", "tools", "unsupported_schema");
        }
    }

    private static OutputGrammar? FromResponseFormat(JsonFields fields)
    {
        if (fields.Object(FormatParam) is not { } format)
            return null;
        var formatFields = new JsonFields(format, FormatParam + ".");
        switch (formatFields.String("type"))
        {
            case "text":
                return null;
            case "json_object":
                return new OutputGrammar(JsonGrammar.AnyObject, FormatParam);
            case "json_schema":
                var spec = formatFields.Object("json_schema") ?? throw Missing(formatFields.Param("json_schema"));
                var specFields = new JsonFields(spec, formatFields.Param("json_schema."));
                specFields.String("name");
                specFields.Boolean("strict");
                var schema = specFields.Object("schema") ?? throw Missing(specFields.Param("schema"));
                return new OutputGrammar(SchemaGrammar(schema, specFields.Param("schema")), FormatParam);
            case null:
                throw Missing(formatFields.Param("type"));
            case var other:
                throw ApiException.BadRequest(
                    $"Invalid '{formatFields.Param("type")}': expected 'text', 'json_object' or 'json_schema', got '{other}'.", formatFields.Param("type"));
        }
    }

    private static ApiException Missing(string param) => ApiException.BadRequest($"Missing required parameter: '{param}'.", param);
}
