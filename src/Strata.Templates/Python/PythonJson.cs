using System.Globalization;
using System.Text;
using Strata.Templates.Values;

namespace Strata.Templates.Python;

/// <summary>Python's <c>json.dumps</c>, byte for byte (separators, escapes, float repr, indentation).</summary>
internal static class PythonJson
{
    public static string Dumps(Value value, JsonDumpOptions options)
    {
        var sb = new StringBuilder();
        Write(sb, value, options, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Value value, JsonDumpOptions options, int level)
    {
        RuntimeStack.EnsureRoom();
        switch (value)
        {
            case NoneValue:
                sb.Append("null");
                break;
            case BoolValue b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case IntValue i:
                sb.Append(i.ToStr());
                break;
            case FloatValue f:
                sb.Append(Float(f.Value));
                break;
            case StringValue s:
                WriteString(sb, s.Value, options.EnsureAscii);
                break;
            case ListValue list:
                WriteList(sb, list, options, level);
                break;
            case DictValue dict:
                WriteDict(sb, dict, options, level);
                break;
            default:
                throw new TemplateRuntimeException($"Object of type {value.TypeName} is not JSON serializable");
        }
    }

    private static void WriteList(StringBuilder sb, ListValue list, JsonDumpOptions options, int level)
    {
        if (list.Items.Count == 0)
        {
            sb.Append("[]");
            return;
        }
        sb.Append('[');
        for (var i = 0; i < list.Items.Count; i++)
        {
            sb.Append(i == 0 ? "" : options.ItemSeparator);
            NewLine(sb, options, level + 1);
            Write(sb, list.Items[i], options, level + 1);
        }
        NewLine(sb, options, level);
        sb.Append(']');
    }

    private static void WriteDict(StringBuilder sb, DictValue dict, JsonDumpOptions options, int level)
    {
        if (dict.Entries.Count == 0)
        {
            sb.Append("{}");
            return;
        }
        IEnumerable<(string Key, Value Value)> entries = dict.Entries.Select(e => (Key(e.Key), e.Value));
        if (options.SortKeys)
            entries = entries.OrderBy(e => e.Key, StringComparer.Ordinal);
        sb.Append('{');
        var first = true;
        foreach (var (key, item) in entries)
        {
            sb.Append(first ? "" : options.ItemSeparator);
            first = false;
            NewLine(sb, options, level + 1);
            WriteString(sb, key, options.EnsureAscii);
            sb.Append(options.KeySeparator);
            Write(sb, item, options, level + 1);
        }
        NewLine(sb, options, level);
        sb.Append('}');
    }

    private static void NewLine(StringBuilder sb, JsonDumpOptions options, int level)
    {
        if (options.Indent is null)
            return;
        sb.Append('\n');
        for (var i = 0; i < level; i++)
            sb.Append(options.Indent);
    }

    /// <summary>json.dumps turns non-string keys into strings rather than failing.</summary>
    private static string Key(Value key) => key switch
    {
        StringValue s => s.Value,
        BoolValue b => b.Value ? "true" : "false",
        NoneValue => "null",
        IntValue i => i.ToStr(),
        FloatValue f => Float(f.Value),
        _ => throw new TemplateRuntimeException($"keys must be str, int, float, bool or None, not {key.TypeName}"),
    };

    private static string Float(double value) => value switch
    {
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ when double.IsNaN(value) => "NaN",
        _ => PythonFloat.Repr(value),
    };

    private static void WriteString(StringBuilder sb, string s, bool ensureAscii)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                // With ensure_ascii, everything outside printable ASCII is escaped (surrogate pairs stay pairs of \u escapes).
                case < ' ':
                case > '~' when ensureAscii:
                    sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
