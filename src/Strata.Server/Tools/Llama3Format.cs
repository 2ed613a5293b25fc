namespace Strata.Server.Tools;

/// <summary>Llama 3.x: the whole reply is one <c>{"name": …, "parameters": …}</c> object (one call per turn).</summary>
internal sealed class Llama3Format : ToolCallFormat
{
    private const string PythonTag = "<|python_tag|>";

    public override string Name => "llama3";

    public override bool SupportsParallelCalls => false;

    protected override string Separator => Literal(";");

    public override int FindStart(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith(PythonTag, StringComparison.Ordinal))
            trimmed = trimmed[PythonTag.Length..].TrimStart();
        return trimmed.StartsWith('{') ? text.Length - trimmed.Length : -1;
    }

    // Only a reply that starts with the call is one: hold back leading whitespace (and the tag) until it is decided.
    public override int PossibleStartLength(string text) =>
        string.IsNullOrWhiteSpace(text) || PythonTag.StartsWith(text.TrimStart(), StringComparison.Ordinal) ? text.Length : 0;

    public override List<ParsedToolCall>? Parse(string region, bool final)
    {
        var (call, end) = ParseJsonCall(region, 0);
        if (call is null || (final && (end < 0 || !string.IsNullOrWhiteSpace(region[end..]))))
            return null;
        return [call];
    }

    protected override string Call(string name, string argumentsRule) =>
        $"{Literal($"{{\"name\": \"{name}\", \"parameters\": ")} {argumentsRule} {Literal("}")}";
}
