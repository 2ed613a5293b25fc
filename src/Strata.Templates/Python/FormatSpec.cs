using System.Globalization;
using Strata.Templates.Values;

namespace Strata.Templates.Python;

/// <summary>
/// One parsed format specification, shared by <c>str.format</c> ("{:>8.2f}") and printf-style
/// <c>%</c> formatting ("%-8.2f"): fill, alignment, sign, zero padding, width, precision and type.
/// </summary>
internal sealed record FormatSpec(char Fill, char Align, char Sign, bool Alternate, int Width, int? Precision, char Type)
{
    public static readonly FormatSpec Default = new(' ', '\0', '-', false, 0, null, '\0');

    /// <summary>Parses the part after the colon of a <c>str.format</c> field.</summary>
    public static FormatSpec ParseFormatMini(string spec)
    {
        var i = 0;
        var fill = ' ';
        var align = '\0';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=')
        {
            fill = spec[0];
            align = spec[1];
            i = 2;
        }
        else if (spec.Length >= 1 && spec[0] is '<' or '>' or '^' or '=')
        {
            align = spec[0];
            i = 1;
        }
        var sign = '-';
        if (i < spec.Length && spec[i] is '+' or '-' or ' ')
            sign = spec[i++];
        var alternate = i < spec.Length && spec[i] == '#';
        if (alternate)
            i++;
        if (i < spec.Length && spec[i] == '0' && align == '\0')
        {
            fill = '0';
            align = '=';
            i++;
        }
        var width = ReadNumber(spec, ref i) ?? 0;
        int? precision = null;
        if (i < spec.Length && spec[i] == '.')
        {
            i++;
            precision = ReadNumber(spec, ref i) ?? throw new TemplateRuntimeException("Format specifier missing precision");
        }
        var type = i < spec.Length ? spec[i++] : '\0';
        if (i != spec.Length)
            throw new TemplateRuntimeException($"Invalid format specifier '{spec}'");
        return new FormatSpec(fill, align, sign, alternate, width, precision, type);
    }

    public string Apply(Value value)
    {
        var body = value switch
        {
            IntValue or BoolValue or FloatValue when Type is not ('s' or 'r') => FormatNumber(value),
            _ => FormatText(Type == 'r' ? value.ToRepr() : value.ToStr()),
        };
        return Pad(body, value is StringValue || Type is 's' or 'r' ? '<' : '>');
    }

    private string FormatText(string text) =>
        Precision is { } p && CodePoints.Count(text) > p ? CodePoints.Slice(text, 0, p, 1) : text;

    private string FormatNumber(Value value)
    {
        var number = value switch
        {
            IntValue i => (double)i.Value,
            BoolValue b => b.Value ? 1 : 0,
            _ => ((FloatValue)value).Value,
        };
        var invariant = CultureInfo.InvariantCulture;
        var text = Type switch
        {
            'd' or 'i' or 'u' => ((long)Math.Truncate(number)).ToString(invariant),
            'x' => (Alternate ? "0x" : "") + ((long)number).ToString("x", invariant),
            'X' => (Alternate ? "0X" : "") + ((long)number).ToString("X", invariant),
            'o' => (Alternate ? "0o" : "") + Convert.ToString((long)number, 8),
            'f' or 'F' => number.ToString("F" + (Precision ?? 6), invariant),
            'e' or 'E' => Exponent(number, Precision ?? 6, Type),
            '%' => (number * 100).ToString("F" + (Precision ?? 6), invariant) + "%",
            'c' => char.ConvertFromUtf32((int)number),
            _ => value.ToStr(),
        };
        if (text.StartsWith('-'))
            return text;
        return Sign switch
        {
            '+' => "+" + text,
            ' ' => " " + text,
            _ => text,
        };
    }

    private static string Exponent(double number, int precision, char type)
    {
        var text = number.ToString((type == 'E' ? "E" : "e") + precision, CultureInfo.InvariantCulture);
        // .NET writes three exponent digits ("1.5e+003"); Python writes at least two.
        var e = text.IndexOfAny(['e', 'E']);
        var exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
        return $"{text[..(e + 1)]}{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    private string Pad(string body, char defaultAlign)
    {
        var length = CodePoints.Count(body);
        if (length >= Width)
            return body;
        var padding = Width - length;
        switch (Align == '\0' ? defaultAlign : Align)
        {
            case '<':
                return body + new string(Fill, padding);
            case '^':
                return new string(Fill, padding / 2) + body + new string(Fill, padding - padding / 2);
            case '=':
                var signLength = body.Length > 0 && body[0] is '+' or '-' or ' ' ? 1 : 0;
                return body[..signLength] + new string(Fill, padding) + body[signLength..];
            default:
                return new string(Fill, padding) + body;
        }
    }

    private static int? ReadNumber(string spec, ref int i)
    {
        var start = i;
        while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            i++;
        return i > start ? int.Parse(spec.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }
}
