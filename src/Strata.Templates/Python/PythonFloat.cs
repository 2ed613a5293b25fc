using System.Globalization;

namespace Strata.Templates.Python;

/// <summary>Python's <c>repr(float)</c>: the shortest digits that round-trip, in Python's layout.</summary>
internal static class PythonFloat
{
    // Python switches to exponent notation when the decimal point would sit this far out.
    private const int MinFixedDecimalPoint = -3;
    private const int MaxFixedDecimalPoint = 16;

    public static string Repr(double value)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        if (value == 0)
            return double.IsNegative(value) ? "-0.0" : "0.0";

        var (negative, digits, decimalPoint) = ShortestDigits(value);
        var sign = negative ? "-" : "";
        if (decimalPoint < MinFixedDecimalPoint || decimalPoint > MaxFixedDecimalPoint)
        {
            var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            var exponent = decimalPoint - 1;
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        if (decimalPoint <= 0)
            return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
        if (decimalPoint >= digits.Length)
            return $"{sign}{digits}{new string('0', decimalPoint - digits.Length)}.0";
        return $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
    }

    /// <summary>Significant digits (no leading or trailing zeros) and the decimal point position: value = 0.DIGITS × 10^point.</summary>
    private static (bool Negative, string Digits, int DecimalPoint) ShortestDigits(double value)
    {
        // .NET's "R" is the shortest round-trip form, the same digits Python's repr chooses.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text[0] == '-';
        if (negative)
            text = text[1..];
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var point = text.IndexOf('.');
        var digits = point < 0 ? text : text.Remove(point, 1);
        var decimalPoint = (point < 0 ? text.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        return (negative, digits, decimalPoint - leadingZeros);
    }
}
