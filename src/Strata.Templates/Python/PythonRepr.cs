using System.Globalization;
using System.Text;

namespace Strata.Templates.Python;

/// <summary>Python's <c>repr(str)</c>: the quoting a list or dict applies to the strings inside it.</summary>
internal static class PythonRepr
{
    public static string Quote(string value)
    {
        var quote = value.Contains('\'') && !value.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(value.Length + 2);
        sb.Append(quote);
        foreach (var c in CodePoints.Values(value))
        {
            if (c == quote || c == '\\')
                sb.Append('\\').Append((char)c);
            else if (c == '\n')
                sb.Append("\\n");
            else if (c == '\r')
                sb.Append("\\r");
            else if (c == '\t')
                sb.Append("\\t");
            else if (IsPrintable(c))
                sb.Append(char.ConvertFromUtf32(c));
            else if (c < 0x100)
                sb.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
            else if (c < 0x10000)
                sb.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}");
            else
                sb.Append(CultureInfo.InvariantCulture, $"\\U{c:x8}");
        }
        return sb.Append(quote).ToString();
    }

    /// <summary>Python's <c>str.isprintable</c> for one code point.</summary>
    private static bool IsPrintable(int c)
    {
        if (c == ' ')
            return true;
        if (c is >= 0xD800 and <= 0xDFFF)
            return false;
        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }
}
