using System.Globalization;
using System.Text;
using Strata.Templates.Values;

namespace Strata.Templates.Python;

/// <summary>Python's two string formatting languages: <c>"{}".format(...)</c> and <c>"%s" % value</c>.</summary>
internal static class StringFormatting
{
    /// <summary>
    /// <c>str.format</c>: "{}", "{0}", "{name}", "{{" escapes, "!r"/"!s" conversions and format specs.
    /// With <paramref name="escapeFields"/> (a Markup template) each field not already Markup is HTML-escaped.
    /// </summary>
    public static string Format(string template, Arguments arguments, bool escapeFields = false)
    {
        var sb = new StringBuilder();
        var nextAuto = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                    i++;
                else
                    throw new TemplateRuntimeException("Single '}' encountered in format string");
                sb.Append('}');
                continue;
            }
            if (c != '{')
            {
                sb.Append(c);
                continue;
            }
            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                sb.Append('{');
                i++;
                continue;
            }
            var close = template.IndexOf('}', i);
            if (close < 0)
                throw new TemplateRuntimeException("Single '{' encountered in format string");
            sb.Append(FormatField(template[(i + 1)..close], arguments, escapeFields, ref nextAuto));
            i = close;
        }
        return sb.ToString();
    }

    /// <summary>
    /// printf-style <c>format % values</c>; <paramref name="values"/> is a tuple, a dict (for "%(name)s") or one value.
    /// With <paramref name="escapeText"/> (a Markup format) text conversions are HTML-escaped.
    /// </summary>
    public static string Percent(string format, Value values, bool escapeText = false)
    {
        var positional = values is ListValue { IsTuple: true } tuple ? tuple.Items : [values];
        var next = 0;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                sb.Append(format[i]);
                continue;
            }
            if (++i == format.Length)
                throw new TemplateRuntimeException("incomplete format");
            Value? argument = null;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0 || values is not DictValue dict)
                    throw new TemplateRuntimeException("format requires a mapping");
                argument = dict.Entries.GetValueOrDefault(StringValue.Of(format[(i + 1)..close]))
                    ?? throw new TemplateRuntimeException($"KeyError: '{format[(i + 1)..close]}'");
                i = close + 1;
            }
            var flagsStart = i;
            while (i < format.Length && format[i] is '-' or '+' or ' ' or '#' or '0')
                i++;
            var flags = format[flagsStart..i];
            var widthStart = i;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
                i++;
            var width = i > widthStart ? int.Parse(format.AsSpan(widthStart, i - widthStart), CultureInfo.InvariantCulture) : 0;
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                var precisionStart = ++i;
                while (i < format.Length && char.IsAsciiDigit(format[i]))
                    i++;
                precision = i > precisionStart ? int.Parse(format.AsSpan(precisionStart, i - precisionStart), CultureInfo.InvariantCulture) : 0;
            }
            if (i == format.Length)
                throw new TemplateRuntimeException("incomplete format");
            var type = format[i];
            if (type == '%')
            {
                sb.Append('%');
                continue;
            }
            if (argument is null)
            {
                if (next >= positional.Count)
                    throw new TemplateRuntimeException("not enough arguments for format string");
                argument = positional[next++];
            }
            if (escapeText && type is 's' or 'r' or 'a')
            {
                argument = Html.EscapeValue(type == 's' ? argument : StringValue.Of(argument.ToRepr()));
                type = 's';
            }
            var zeroPad = flags.Contains('0') && !flags.Contains('-');
            var spec = new FormatSpec(
                zeroPad ? '0' : ' ',
                flags.Contains('-') ? '<' : zeroPad ? '=' : '>',
                flags.Contains('+') ? '+' : flags.Contains(' ') ? ' ' : '-',
                flags.Contains('#'),
                width,
                precision,
                type);
            if (type is 'd' or 'i' or 'u' or 'f' or 'F' or 'e' or 'E' or 'x' or 'X' or 'o' && argument is not (IntValue or FloatValue or BoolValue))
                throw new TemplateRuntimeException($"%{type} format: a real number is required, not {argument.TypeName}");
            sb.Append(spec.Apply(argument));
        }
        if (next < positional.Count && values is not DictValue)
            throw new TemplateRuntimeException("not all arguments converted during string formatting");
        return sb.ToString();
    }

    private static string FormatField(string field, Arguments arguments, bool escape, ref int nextAuto)
    {
        var spec = "";
        var colon = field.IndexOf(':');
        if (colon >= 0)
        {
            spec = field[(colon + 1)..];
            field = field[..colon];
        }
        var conversion = '\0';
        var bang = field.IndexOf('!');
        if (bang >= 0)
        {
            conversion = bang + 1 < field.Length ? field[bang + 1] : '\0';
            field = field[..bang];
        }
        Value value;
        if (field.Length == 0)
            value = Positional(arguments, nextAuto++);
        else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            value = Positional(arguments, index);
        else
            value = arguments.Keyword(field) ?? throw new TemplateRuntimeException($"KeyError: '{field}'");
        if (conversion == 'r')
            value = StringValue.Of(value.ToRepr());
        var text = spec.Length == 0 ? value.ToStr() : FormatSpec.ParseFormatMini(spec).Apply(value);
        return escape && value is not StringValue { IsMarkup: true } ? Html.Escape(text) : text;
    }

    private static Value Positional(Arguments arguments, int index) =>
        index < arguments.Positional.Count
            ? arguments.Positional[index]
            : throw new TemplateRuntimeException($"Replacement index {index} out of range for positional args tuple");
}
