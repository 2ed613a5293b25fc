using System.Text;
using System.Text.RegularExpressions;
using Strata.Templates.Python;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>Filters that work on the text of a value (Jinja converts the input with <c>str()</c> first).</summary>
internal static partial class StringFilters
{
    // Jinja's default "truncate.leeway" policy: a string this much over the limit is left alone.
    private const int TruncateLeeway = 5;

    public static IEnumerable<KeyValuePair<string, Filter>> All =>
    [
        new("lower", (v, _) => Same(v, v.ToStr().ToLowerInvariant())),
        new("upper", (v, _) => Same(v, v.ToStr().ToUpperInvariant())),
        new("capitalize", (v, _) => Same(v, PythonStrings.Capitalize(v.ToStr()))),
        new("title", (v, _) => Text(Title(v.ToStr()))),
        new("trim", (v, a) => Same(v, PythonStrings.Strip(v.ToStr(), a.OptionalString(0, "chars")))),
        new("replace", Replace),
        new("indent", Indent),
        new("center", (v, a) => Same(v, PythonStrings.Center(v.ToStr(), (int)a.Integer(0, "width", 80)))),
        new("truncate", Truncate),
        new("wordcount", (v, _) => IntValue.Of(WordPattern().Count(v.ToStr()))),
        new("format", Format),
        new("string", (v, _) => v as StringValue ?? Text(v.ToStr())),
        new("safe", (v, _) => v as StringValue is { IsMarkup: true } ? v : StringValue.Markup(v.ToStr())),
        new("escape", (v, _) => Html.EscapeValue(v)),
        new("e", (v, _) => Html.EscapeValue(v)),
        new("forceescape", (v, _) => StringValue.Markup(Html.Escape(v.ToStr()))),
        new("striptags", (v, _) => Text(string.Join(' ', PythonStrings.Split(TagPattern().Replace(v.ToStr(), ""), null)))),
    ];

    private static StringValue Text(string value) => StringValue.Of(value);

    // Jinja runs these through the value's own str methods, so Markup input gives Markup output.
    private static StringValue Same(Value input, string text) => input is StringValue s ? s.Like(text) : Text(text);

    // Jinja's title filter capitalizes after spaces, dashes and opening brackets (not after every non-letter like str.title).
    private static string Title(string s) => string.Concat(
        WordBeginningPattern().Split(s).Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    private static Value Replace(Value input, Arguments arguments) => Text(PythonStrings.Replace(
        input.ToStr(),
        arguments.Required(0, "old", "replace").ToStr(),
        arguments.Required(1, "new", "replace").ToStr(),
        (int)arguments.Integer(2, "count", -1)));

    private static Value Indent(Value input, Arguments arguments)
    {
        var indentation = arguments.Find(0, "width") switch
        {
            StringValue s => s.Value,
            null => "    ",
            var width => new string(' ', (int)Math.Max(0, Indexes.RequireInt(width, "width"))),
        };
        var first = arguments.Flag(1, "first", false);
        var blank = arguments.Flag(2, "blank", false);
        // Jinja appends a newline before splitting, so a trailing newline survives.
        var lines = PythonStrings.SplitLines(input.ToStr() + "\n");
        var sb = new StringBuilder();
        if (blank)
        {
            sb.AppendJoin("\n" + indentation, lines);
        }
        else
        {
            sb.Append(lines[0]);
            foreach (var line in lines.Skip(1))
                sb.Append('\n').Append(line.Length > 0 ? indentation + line : line);
        }
        return Same(input, first ? indentation + sb : sb.ToString());
    }

    private static Value Truncate(Value input, Arguments arguments)
    {
        var s = input.ToStr();
        var length = (int)arguments.Integer(0, "length", 255);
        var killWords = arguments.Flag(1, "killwords", false);
        var end = arguments.OptionalString(2, "end") ?? "...";
        var leeway = (int)arguments.Integer(3, "leeway", TruncateLeeway);
        if (CodePoints.Count(s) <= length + leeway)
            return input as StringValue ?? Text(s);
        var kept = CodePoints.Slice(s, 0, Math.Max(0, length - CodePoints.Count(end)), 1);
        return Text((killWords ? kept : PythonStrings.RSplit(kept, " ", 1)[0]) + end);
    }

    // "%s, %s" | format(a, b) is printf-style; keyword arguments fill "%(name)s".
    private static Value Format(Value input, Arguments arguments)
    {
        if (arguments.Positional.Count > 0 && arguments.Named.Count > 0)
            throw new TemplateRuntimeException("can't handle positional and keyword arguments at the same time");
        Value values = arguments.Named.Count > 0
            ? new DictValue(arguments.Named.Select(n => new KeyValuePair<Value, Value>(StringValue.Of(n.Key), n.Value)))
            : new ListValue([.. arguments.Positional], isTuple: true);
        return Same(input, StringFormatting.Percent(input.ToStr(), values, input is StringValue { IsMarkup: true }));
    }

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginningPattern();

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"(<!--.*?-->|<[^>]*>)", RegexOptions.Singleline)]
    private static partial Regex TagPattern();
}
