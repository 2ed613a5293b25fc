using System.Text.Json;
using System.Text.RegularExpressions;
using Strata.Grammar.Json;

namespace Strata.Server.Tools;

/// <summary>
/// How a model family writes tool calls, read from its chat template: where calls start in the output, how to read
/// them (also from partial output, for streaming), and the grammar that forces valid calls when the client requires
/// one. Hermes and Qwen: <c>&lt;tool_call&gt;{"name": …, "arguments": …}&lt;/tool_call&gt;</c>; Llama 3.x:
/// <c>{"name": …, "parameters": …}</c>; Mistral: <c>[TOOL_CALLS]name[ARGS]{…}</c>.
/// </summary>
internal abstract partial class ToolCallFormat
{
    public static ToolCallFormat Hermes { get; } = new HermesFormat();

    public static ToolCallFormat Llama3 { get; } = new Llama3Format();

    public static ToolCallFormat Mistral { get; } = new MistralFormat();

    public abstract string Name { get; }

    /// <summary>Whether several calls can be written in one reply.</summary>
    public virtual bool SupportsParallelCalls => true;

    /// <summary>The format a chat template expects (Hermes-style for templates that show none).</summary>
    public static ToolCallFormat ForTemplate(string? template) => template switch
    {
        not null when template.Contains("[TOOL_CALLS]", StringComparison.Ordinal) => Mistral,
        not null when template.Contains("\"parameters\": ", StringComparison.Ordinal) && template.Contains("<|start_header_id|>", StringComparison.Ordinal) => Llama3,
        _ => Hermes,
    };

    /// <summary>Where tool calls begin in <paramref name="text"/> (output so far), or -1.</summary>
    public abstract int FindStart(string text);

    /// <summary>How many characters at the end of <paramref name="text"/> could still turn into the start of a call.</summary>
    public abstract int PossibleStartLength(string text);

    /// <summary>The calls in <paramref name="region"/> (output from the start of the calls on); null if it is not calls at all.</summary>
    public abstract List<ParsedToolCall>? Parse(string region, bool final);

    /// <summary>GBNF whose sentences are calls of <paramref name="tools"/> (one, or several when <paramref name="parallel"/>).</summary>
    public string Grammar(IReadOnlyList<ToolFunction> tools, bool parallel)
    {
        var compiler = new JsonSchemaCompiler();
        var calls = tools.Select((tool, i) => Call(tool.Name, compiler.Add(tool.Parameters, $"tool{i}"))).ToList();
        var call = string.Join(" | ", calls.Select(c => $"({c})"));
        return compiler.ToGbnf(parallel && SupportsParallelCalls ? $"({call}) ({Separator} ({call}))*" : $"({call})");
    }

    /// <summary>GBNF of one call of the function <paramref name="name"/> whose arguments match <paramref name="argumentsRule"/>.</summary>
    protected abstract string Call(string name, string argumentsRule);

    protected static string Literal(string text) => JsonSchemaCompiler.GbnfLiteral(text);

    /// <summary>The longest end of <paramref name="text"/> that is the start of <paramref name="marker"/>.</summary>
    protected static int MarkerPrefixLength(string text, string marker)
    {
        for (var length = Math.Min(marker.Length - 1, text.Length); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).SequenceEqual(marker.AsSpan(0, length)))
                return length;
        }
        return 0;
    }

    /// <summary>GBNF between two calls.</summary>
    protected abstract string Separator { get; }

    /// <summary>
    /// Reads <c>{"name": "…", "arguments": …}</c> (or <c>"parameters"</c>) from <paramref name="start"/>: the name once
    /// it is complete, the arguments' text so far, and where the object ends (-1 while it is open).
    /// </summary>
    protected static (ParsedToolCall? Call, int End) ParseJsonCall(string text, int start)
    {
        var header = CallHeader().Match(text, start);
        if (!header.Success)
        {
            // Not a call yet: still one if the object is open (its header may be arriving), never if it starts otherwise or closed.
            var open = text.AsSpan(start).TrimStart();
            var stillOpen = open.IsEmpty || (open[0] == '{' && JsonValueScanner.End(text, text.Length - open.Length) < 0);
            return (stillOpen ? new ParsedToolCall(null, "", false) : null, -1);
        }
        var name = JsonSerializer.Deserialize<string>($"\"{header.Groups["name"].Value}\"");
        var argumentsStart = header.Index + header.Length;
        var argumentsEnd = JsonValueScanner.End(text, argumentsStart);
        if (argumentsEnd < 0)
            return (new ParsedToolCall(name, text[argumentsStart..].TrimEnd(), false), -1);
        var arguments = text[argumentsStart..argumentsEnd];
        var close = ClosingBrace().Match(text, argumentsEnd);
        return close.Success ? (new ParsedToolCall(name, arguments, true), close.Index + close.Length) : (new ParsedToolCall(name, arguments, false), -1);
    }

    [GeneratedRegex("""\G\s*\{\s*"name"\s*:\s*"(?<name>(?:[^"\\]|\\.)*)"\s*,\s*"(?:arguments|parameters)"\s*:\s*""")]
    private static partial Regex CallHeader();

    [GeneratedRegex("""\G\s*\}""")]
    private static partial Regex ClosingBrace();
}
