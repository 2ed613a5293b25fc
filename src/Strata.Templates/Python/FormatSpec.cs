using System.Globalization;
using Strata.Templates.Values;

namespace Strata.Templates.Python;

/// <summary>
/// One parsed format specification, shared by <c>str.format</c> ("{:>8.2f}") and printf-style
/// <c>%</c> formatting ("%-8.2f"): fill, alignment, sign, zero padding, width, precision and type.
/// </summary>
internal sealed record FormatSpec(char Fill, char Align, char Sign, bool Alternate, int Width, int? Precision, char Type)
{
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
        Runtime.Number.TryRead(value, out var number);
        var integer = number.IsFloat ? checked((long)Math.Truncate(number.Float)) : number.Integer;
        var invariant = CultureInfo.InvariantCulture;
        var text = Type switch
        {
            'd' or 'i' or 'u' => integer.ToString(invariant),
            'x' => Radix(integer, Alternate ? "0x" : "", i => i.ToString("x", invariant)),
            'X' => Radix(integer, Alternate ? "0X" : "", i => i.ToString("X", invariant)),
            'o' => Radix(integer, Alternate ? "0o" : "", i => Convert.ToString(i, 8)),
            'f' or 'F' => number.Float.ToString("F" + (Precision ?? 6), invariant),
            'e' or 'E' => Exponent(number.Float, Precision ?? 6, Type),
            '%' => (number.Float * 100).ToString("F" + (Precision ?? 6), invariant) + "%",
            'c' => char.ConvertFromUtf32(checked((int)integer)),
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

    // Python writes a negative number in another base as "-" and the magnitude ("-ff"), not as two's complement.
    private static string Radix(long value, string prefix, Func<long, string> digits) =>
        value < 0 ? "-" + prefix + digits(checked(-value)) : prefix + digits(value);

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
