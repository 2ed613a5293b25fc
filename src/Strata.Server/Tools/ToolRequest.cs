using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Strata.Server.Protocol;

namespace Strata.Server.Tools;

/// <summary>A chat request's <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c>, validated.</summary>
internal sealed partial record ToolRequest(IReadOnlyList<ToolFunction> Functions, JsonArray TemplateTools, ToolChoiceMode Choice, string? ChoiceName, bool Parallel)
{
    private const string ToolsParam = "tools";
    private const string ChoiceParam = "tool_choice";

    /// <summary>Whether the reply is parsed for calls at all.</summary>
    public bool MayCall => Functions.Count > 0 && Choice != ToolChoiceMode.None;

    /// <summary>The functions the reply must call from (all of them, or the named one).</summary>
    public IReadOnlyList<ToolFunction> Required => Choice switch
    {
        ToolChoiceMode.Required => Functions,
        ToolChoiceMode.Named => Functions.Where(f => f.Name == ChoiceName).ToList(),
        _ => [],
    };

    public static ToolRequest? Parse(JsonFields fields)
    {
        var tools = fields.Find(ToolsParam);
        var choiceElement = fields.Find(ChoiceParam);
        var parallel = fields.Boolean("parallel_tool_calls") ?? true;
        if (tools is null)
        {
            if (choiceElement is { ValueKind: JsonValueKind.String } c && c.GetString() is "none" or "auto")
                return null;
            if (choiceElement is not null)
                throw ApiException.BadRequest("'tool_choice' is only allowed when 'tools' are specified.", ChoiceParam);
            return null;
        }
        if (tools.Value.ValueKind != JsonValueKind.Array)
            throw JsonFields.WrongType(ToolsParam, "an array", tools.Value);
        var functions = new List<ToolFunction>();
        var index = 0;
        foreach (var tool in tools.Value.EnumerateArray())
            functions.Add(Function(tool, $"{ToolsParam}[{index++}]"));
        if (functions.Count == 0)
            throw ApiException.BadRequest("Invalid 'tools': empty array. Expected an array with minimum length 1.", ToolsParam);
        var duplicate = functions.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw ApiException.BadRequest($"Invalid 'tools': the function name '{duplicate.Key}' appears more than once.", ToolsParam);
        var (choice, name) = ParseChoice(choiceElement);
        if (name is not null && functions.All(f => f.Name != name))
            throw ApiException.BadRequest($"Invalid 'tool_choice': no function named '{name}' in 'tools'.", ChoiceParam);
        return new ToolRequest(functions, JsonNode.Parse(tools.Value.GetRawText())!.AsArray(), choice, name, parallel);
    }

    private static ToolFunction Function(JsonElement tool, string param)
    {
        if (tool.ValueKind != JsonValueKind.Object)
            throw JsonFields.WrongType(param, "an object", tool);
        var fields = new JsonFields(tool, param + ".");
        if (fields.String("type") is { } type && type != "function")
            throw ApiException.BadRequest($"Invalid '{fields.Param("type")}': only 'function' tools are supported, got '{type}'.", fields.Param("type"));
        var function = fields.Object("function") ?? throw Missing(fields.Param("function"));
        var functionFields = new JsonFields(function, fields.Param("function."));
        var name = functionFields.String("name") ?? throw Missing(functionFields.Param("name"));
        if (!ValidName().IsMatch(name))
            throw ApiException.BadRequest($"Invalid '{functionFields.Param("name")}': '{name}' must be 1 to 64 letters, digits, underscores or dashes.", functionFields.Param("name"));
        functionFields.String("description");
        var parameters = functionFields.Object("parameters") ?? JsonDocument.Parse("""{"type": "object"}""").RootElement;
        return new ToolFunction(name, parameters.Clone());
    }

    private static (ToolChoiceMode, string?) ParseChoice(JsonElement? choice)
    {
        switch (choice)
        {
            case null:
                return (ToolChoiceMode.Auto, null);
            case { ValueKind: JsonValueKind.String } text:
                return text.GetString() switch
                {
                    "auto" => (ToolChoiceMode.Auto, null),
                    "none" => (ToolChoiceMode.None, null),
                    "required" => (ToolChoiceMode.Required, null),
                    var other => throw ApiException.BadRequest($"Invalid 'tool_choice': expected 'none', 'auto', 'required' or a function, got '{other}'.", ChoiceParam),
                };
            case { ValueKind: JsonValueKind.Object } named:
                var fields = new JsonFields(named, ChoiceParam + ".");
                var function = fields.Object("function") ?? throw Missing(fields.Param("function"));
                var name = new JsonFields(function, fields.Param("function.")).String("name") ?? throw Missing(fields.Param("function.name"));
                return (ToolChoiceMode.Named, name);
            case { } other:
                throw JsonFields.WrongType(ChoiceParam, "a string or an object", other);
        }
    }

    private static ApiException Missing(string param) => ApiException.BadRequest($"Missing required parameter: '{param}'.", param);

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ValidName();
}
