using Strata.Templates.Python;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>The methods of Python's <c>str</c> that templates call (<c>content.strip()</c>, <c>name.startswith('x')</c>, ...).</summary>
internal static class StringMethods
{
    private static readonly Dictionary<string, Method<StringValue>> Methods = new(StringComparer.Ordinal)
    {
        ["strip"] = (s, a) => Text(PythonStrings.Strip(s.Value, a.OptionalString(0, "chars"))),
        ["lstrip"] = (s, a) => Text(PythonStrings.Strip(s.Value, a.OptionalString(0, "chars"), right: false)),
        ["rstrip"] = (s, a) => Text(PythonStrings.Strip(s.Value, a.OptionalString(0, "chars"), left: false)),
        ["split"] = (s, a) => Strings(PythonStrings.Split(s.Value, a.OptionalString(0, "sep"), (int)a.Integer(1, "maxsplit", -1))),
        ["rsplit"] = (s, a) => Strings(PythonStrings.RSplit(s.Value, a.OptionalString(0, "sep"), (int)a.Integer(1, "maxsplit", -1))),
        ["splitlines"] = (s, a) => Strings(PythonStrings.SplitLines(s.Value, a.Flag(0, "keepends", false))),
        ["startswith"] = (s, a) => BoolValue.Of(Affixes(a, "startswith").Any(p => Window(s, a).StartsWith(p, StringComparison.Ordinal))),
        ["endswith"] = (s, a) => BoolValue.Of(Affixes(a, "endswith").Any(p => Window(s, a).EndsWith(p, StringComparison.Ordinal))),
        ["upper"] = (s, _) => Text(s.Value.ToUpperInvariant()),
        ["lower"] = (s, _) => Text(s.Value.ToLowerInvariant()),
        ["casefold"] = (s, _) => Text(s.Value.ToLowerInvariant()),
        ["title"] = (s, _) => Text(PythonStrings.Title(s.Value)),
        ["capitalize"] = (s, _) => Text(PythonStrings.Capitalize(s.Value)),
        ["swapcase"] = (s, _) => Text(PythonStrings.SwapCase(s.Value)),
        ["replace"] = (s, a) => Text(PythonStrings.Replace(
            s.Value, a.RequiredString(0, "old", "replace"), a.RequiredString(1, "new", "replace"), (int)a.Integer(2, "count", -1))),
        ["find"] = (s, a) => IntValue.Of(Find(s, a, "find", last: false)),
        ["rfind"] = (s, a) => IntValue.Of(Find(s, a, "rfind", last: true)),
        ["index"] = (s, a) => IntValue.Of(Found(Find(s, a, "index", last: false))),
        ["rindex"] = (s, a) => IntValue.Of(Found(Find(s, a, "rindex", last: true))),
        ["count"] = (s, a) => IntValue.Of(Count(Window(s, a), a.RequiredString(0, "sub", "count"))),
        ["join"] = (s, a) => Text(string.Join(s.Value, ArgumentReader.Strings(a.Required(0, "iterable", "join"), "join"))),
        ["format"] = (s, a) => Text(StringFormatting.Format(s.Value, a)),
        ["isdigit"] = (s, _) => All(s, char.IsDigit),
        ["isdecimal"] = (s, _) => All(s, char.IsDigit),
        ["isnumeric"] = (s, _) => All(s, char.IsNumber),
        ["isalpha"] = (s, _) => All(s, char.IsLetter),
        ["isalnum"] = (s, _) => All(s, char.IsLetterOrDigit),
        ["isspace"] = (s, _) => All(s, PythonStrings.IsSpace),
        ["islower"] = (s, _) => BoolValue.Of(s.Value.Any(char.IsLower) && !s.Value.Any(char.IsUpper)),
        ["isupper"] = (s, _) => BoolValue.Of(s.Value.Any(char.IsUpper) && !s.Value.Any(char.IsLower)),
        ["center"] = (s, a) => Text(PythonStrings.Center(s.Value, (int)a.Integer(0, "width", 0), a.OptionalString(1, "fillchar") ?? " ")),
        ["ljust"] = (s, a) => Text(Justify(s, a, left: true)),
        ["rjust"] = (s, a) => Text(Justify(s, a, left: false)),
        ["zfill"] = (s, a) => Text(ZeroFill(s.Value, (int)a.Integer(0, "width", 0))),
        ["partition"] = (s, a) => Partition(s.Value, a.RequiredString(0, "sep", "partition"), last: false),
        ["rpartition"] = (s, a) => Partition(s.Value, a.RequiredString(0, "sep", "rpartition"), last: true),
        ["removeprefix"] = (s, a) => Text(a.RequiredString(0, "prefix", "removeprefix") is var p && s.Value.StartsWith(p, StringComparison.Ordinal) ? s.Value[p.Length..] : s.Value),
        ["removesuffix"] = (s, a) => Text(a.RequiredString(0, "suffix", "removesuffix") is var p && p.Length > 0 && s.Value.EndsWith(p, StringComparison.Ordinal) ? s.Value[..^p.Length] : s.Value),
    };

    // The methods markupsafe overrides on Markup: string arguments get escaped and results stay Markup.
    private static readonly HashSet<string> MarkupMethods = new(StringComparer.Ordinal)
    {
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "upper", "lower", "casefold", "title", "capitalize",
        "swapcase", "replace", "join", "center", "ljust", "rjust", "zfill", "partition", "rpartition", "removeprefix", "removesuffix",
    };

    public static Value? Bind(StringValue receiver, string name)
    {
        if (!Methods.TryGetValue(name, out var method))
            return null;
        if (receiver.IsMarkup && name == "format")
            return new FunctionValue("Markup.format", a => StringValue.Markup(StringFormatting.Format(receiver.Value, a, escapeFields: true)));
        if (receiver.IsMarkup && MarkupMethods.Contains(name))
            return new FunctionValue($"Markup.{name}", a => AsMarkup(method(receiver, EscapeStrings(a))));
        return new FunctionValue($"str.{name}", a => method(receiver, a));
    }

    private static StringValue Text(string value) => StringValue.Of(value);

    private static Arguments EscapeStrings(Arguments arguments) => new(
        arguments.Positional.Select(EscapeString).ToList(),
        arguments.Named.Select(n => new KeyValuePair<string, Value>(n.Key, EscapeString(n.Value))).ToList());

    // Strings, and the strings inside a list (for join), are escaped; other arguments pass through.
    private static Value EscapeString(Value value) => value switch
    {
        StringValue => Html.EscapeValue(value),
        ListValue list => new ListValue(list.Items.Select(i => i is StringValue ? Html.EscapeValue(i) : i).ToList(), list.IsTuple),
        _ => value,
    };

    private static Value AsMarkup(Value result) => result switch
    {
        StringValue s => StringValue.Markup(s.Value),
        ListValue list => new ListValue(list.Items.Select(AsMarkup).ToList(), list.IsTuple),
        _ => result,
    };

    private static ListValue Strings(IEnumerable<string> values) => new(values.Select(v => (Value)StringValue.Of(v)).ToList());

    private static BoolValue All(StringValue s, Func<char, bool> predicate) =>
        BoolValue.Of(s.Value.Length > 0 && s.Value.All(predicate));

    /// <summary>The prefix argument of startswith/endswith: one string or a tuple of them.</summary>
    private static IEnumerable<string> Affixes(Arguments arguments, string function) =>
        arguments.Required(0, "prefix", function) switch
        {
            StringValue s => [s.Value],
            ListValue { IsTuple: true } tuple => ArgumentReader.Strings(tuple, function),
            var other => throw new TemplateRuntimeException($"{function} first arg must be str or a tuple of str, not {other.TypeName}"),
        };

    /// <summary>The receiver cut to the optional start/end arguments that follow the first one.</summary>
    private static string Window(StringValue s, Arguments arguments)
    {
        var start = arguments.OptionalInteger(1, "start");
        var end = arguments.OptionalInteger(2, "end");
        return start is null && end is null ? s.Value : CodePoints.Slice(s.Value, start, end, 1);
    }

    private static long Find(StringValue s, Arguments arguments, string function, bool last)
    {
        var sub = arguments.RequiredString(0, "sub", function);
        var start = arguments.OptionalInteger(1, "start") ?? 0;
        var window = Window(s, arguments);
        var found = last ? window.LastIndexOf(sub, StringComparison.Ordinal) : window.IndexOf(sub, StringComparison.Ordinal);
        if (found < 0)
            return -1;
        var offset = start < 0 ? Math.Max(0, CodePoints.Count(s.Value) + start) : start;
        return CodePoints.Count(window[..found]) + offset;
    }

    private static long Found(long index) =>
        index >= 0 ? index : throw new TemplateRuntimeException("substring not found");

    private static long Count(string s, string sub)
    {
        if (sub.Length == 0)
            return CodePoints.Count(s) + 1;
        var count = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static string Justify(StringValue s, Arguments arguments, bool left)
    {
        var width = (int)arguments.Integer(0, "width", 0);
        var fill = arguments.OptionalString(1, "fillchar") ?? " ";
        var padding = PythonStrings.Repeat(fill, width - CodePoints.Count(s.Value));
        return left ? s.Value + padding : padding + s.Value;
    }

    private static string ZeroFill(string s, int width)
    {
        var padding = width - CodePoints.Count(s);
        if (padding <= 0)
            return s;
        var sign = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        return s[..sign] + new string('0', padding) + s[sign..];
    }

    private static ListValue Partition(string s, string separator, bool last)
    {
        if (separator.Length == 0)
            throw new TemplateRuntimeException("empty separator");
        var found = last ? s.LastIndexOf(separator, StringComparison.Ordinal) : s.IndexOf(separator, StringComparison.Ordinal);
        if (found < 0)
        {
            return last
                ? ListValue.Tuple(StringValue.Empty, StringValue.Empty, StringValue.Of(s))
                : ListValue.Tuple(StringValue.Of(s), StringValue.Empty, StringValue.Empty);
        }
        return ListValue.Tuple(StringValue.Of(s[..found]), StringValue.Of(separator), StringValue.Of(s[(found + separator.Length)..]));
    }
}
