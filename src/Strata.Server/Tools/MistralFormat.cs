namespace Strata.Server.Tools;

/// <summary>Mistral (Small 3.2 and later): each call is <c>[TOOL_CALLS]name[ARGS]{…}</c>.</summary>
internal sealed class MistralFormat : ToolCallFormat
{
    private const string Open = "[TOOL_CALLS]";
    private const string Args = "[ARGS]";

    public override string Name => "mistral";

    protected override string Separator => "\"\"";

    public override int FindStart(string text) => text.IndexOf(Open, StringComparison.Ordinal);

    public override int PossibleStartLength(string text) => MarkerPrefixLength(text, Open);

    public override List<ParsedToolCall>? Parse(string region, bool final)
    {
        var calls = new List<ParsedToolCall>();
        var at = 0;
        while (at < region.Length)
        {
            if (!region.AsSpan(at).StartsWith(Open))
                return !final && Open.StartsWith(region[at..], StringComparison.Ordinal) ? calls : null;
            at += Open.Length;
            var args = region.IndexOf(Args, at, StringComparison.Ordinal);
            if (args < 0)
            {
                calls.Add(new ParsedToolCall(null, "", false));
                return final ? null : calls;
            }
            var name = region[at..args];
            var start = args + Args.Length;
            var end = JsonValueScanner.End(region, start);
            if (end < 0)
            {
                calls.Add(new ParsedToolCall(name, region[start..], false));
                return final ? null : calls;
            }
            calls.Add(new ParsedToolCall(name, region[start..end], true));
            at = end;
            while (at < region.Length && char.IsWhiteSpace(region[at]))
                at++;
        }
        return calls;
    }

    protected override string Call(string name, string argumentsRule) => $"{Literal($"{Open}{name}{Args}")} {argumentsRule}";
}
