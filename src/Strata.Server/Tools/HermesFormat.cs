namespace Strata.Server.Tools;

/// <summary>Hermes and Qwen: each call is <c>&lt;tool_call&gt;\n{"name": …, "arguments": …}\n&lt;/tool_call&gt;</c>.</summary>
internal sealed class HermesFormat : ToolCallFormat
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    public override string Name => "hermes";

    protected override string Separator => Literal("\n");

    public override int FindStart(string text) => text.IndexOf(Open, StringComparison.Ordinal);

    public override int PossibleStartLength(string text) => MarkerPrefixLength(text, Open);

    public override List<ParsedToolCall>? Parse(string region, bool final)
    {
        var calls = new List<ParsedToolCall>();
        var at = 0;
        while (at < region.Length)
        {
            var rest = region.AsSpan(at);
            var trimmed = rest.TrimStart();
            if (trimmed.IsEmpty)
                break;
            if (!trimmed.StartsWith(Open))
                return Open.StartsWith(trimmed.ToString(), StringComparison.Ordinal) && !final ? calls : null;
            at += rest.Length - trimmed.Length + Open.Length;
            var (call, end) = ParseJsonCall(region, at);
            if (call is null)
                return null;
            if (end < 0)
            {
                calls.Add(call);
                return final ? null : calls;
            }
            var closing = region.AsSpan(end).TrimStart();
            if (!closing.StartsWith(Close))
            {
                calls.Add(call with { Complete = false });
                return final || !Close.StartsWith(closing.ToString(), StringComparison.Ordinal) ? null : calls;
            }
            calls.Add(call);
            at = region.Length - closing.Length + Close.Length;
        }
        return calls;
    }

    protected override string Call(string name, string argumentsRule) =>
        $"{Literal($"{Open}\n{{\"name\": \"{name}\", \"arguments\": ")} {argumentsRule} {Literal($"}}\n{Close}")}";
}
