using System.Text;

namespace Strata.Templates.Python;

/// <summary>Python's <c>str</c> methods whose rules differ from .NET's (whitespace, splitting, casing).</summary>
internal static class PythonStrings
{
    /// <summary>Python's <c>str.isspace</c> for one character (it includes U+001C..U+001F, which .NET does not).</summary>
    public static bool IsSpace(char c) => c switch
    {
        >= '\t' and <= '\r' or >= '\u001C' and <= ' ' or '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        Func<char, bool> strip = chars is null ? IsSpace : chars.Contains;
        var start = 0;
        var end = s.Length;
        if (left)
        {
            while (start < end && strip(s[start]))
                start++;
        }
        if (right)
        {
            while (end > start && strip(s[end - 1]))
                end--;
        }
        return s[start..end];
    }

    /// <summary>Python's <c>str.split(sep, maxsplit)</c>; a null separator splits on runs of whitespace.</summary>
    public static List<string> Split(string s, string? separator, int maxSplit = -1)
    {
        if (separator is null)
            return SplitWhitespace(s, maxSplit);
        if (separator.Length == 0)
            throw new TemplateRuntimeException("empty separator");
        var parts = new List<string>();
        var start = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var found = s.IndexOf(separator, start, StringComparison.Ordinal);
            if (found < 0)
                break;
            parts.Add(s[start..found]);
            start = found + separator.Length;
        }
        parts.Add(s[start..]);
        return parts;
    }

    /// <summary>Python's <c>str.rsplit(sep, maxsplit)</c>.</summary>
    public static List<string> RSplit(string s, string? separator, int maxSplit = -1)
    {
        if (maxSplit < 0)
            return Split(s, separator);
        if (separator is null)
            return RSplitWhitespace(s, maxSplit);
        if (separator.Length == 0)
            throw new TemplateRuntimeException("empty separator");
        var parts = new List<string>();
        var stop = s.Length;
        while (parts.Count < maxSplit)
        {
            var found = stop == 0 ? -1 : s.LastIndexOf(separator, stop - 1, StringComparison.Ordinal);
            if (found < 0 || found + separator.Length > stop)
                break;
            parts.Insert(0, s[(found + separator.Length)..stop]);
            stop = found;
        }
        parts.Insert(0, s[..stop]);
        return parts;
    }

    /// <summary>Python's <c>str.splitlines</c>, which breaks on more characters than "\n".</summary>
    public static List<string> SplitLines(string s, bool keepEnds = false)
    {
        var lines = new List<string>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            var breakLength = s[i] switch
            {
                '\r' when i + 1 < s.Length && s[i + 1] == '\n' => 2,
                '\n' or '\r' or '\v' or '\f' or '\u001C' or '\u001D' or '\u001E' or '\u0085' or '\u2028' or '\u2029' => 1,
                _ => 0,
            };
            if (breakLength == 0)
            {
                i++;
                continue;
            }
            lines.Add(s[start..(keepEnds ? i + breakLength : i)]);
            i += breakLength;
            start = i;
        }
        if (start < s.Length)
            lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python's <c>str.title</c>: a letter is upper-cased when it follows a non-letter.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            sb.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsUpper(c) || char.IsLower(c);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.capitalize</c>: first character upper, the rest lower.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string SwapCase(string s) =>
        string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    /// <summary>Python's <c>str.replace(old, new, count)</c>; an empty <paramref name="old"/> inserts between characters.</summary>
    public static string Replace(string s, string old, string replacement, int count = -1)
    {
        if (count < 0 && old.Length > 0)
            return s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new StringBuilder();
        var done = 0;
        if (old.Length == 0)
        {
            var characters = CodePoints.Split(s);
            for (var i = 0; i < characters.Count; i++)
            {
                if (count < 0 || done < count)
                {
                    sb.Append(replacement);
                    done++;
                }
                sb.Append(characters[i]);
            }
            if (count < 0 || done < count)
                sb.Append(replacement);
            return sb.ToString();
        }
        var start = 0;
        while (done < count)
        {
            var found = s.IndexOf(old, start, StringComparison.Ordinal);
            if (found < 0)
                break;
            sb.Append(s, start, found - start).Append(replacement);
            start = found + old.Length;
            done++;
        }
        return sb.Append(s, start, s.Length - start).ToString();
    }

    public static string Center(string s, int width, string fill = " ")
    {
        var length = CodePoints.Count(s);
        if (width <= length)
            return s;
        var total = width - length;
        // Python puts the odd extra character on the left when the width is odd.
        var left = total / 2 + (total & width & 1);
        return Repeat(fill, left) + s + Repeat(fill, total - left);
    }

    public static string Repeat(string s, long times) =>
        times <= 0 ? "" : new StringBuilder(checked(s.Length * (int)times)).Insert(0, s, (int)times).ToString();

    private static List<string> SplitWhitespace(string s, int maxSplit)
    {
        var parts = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && IsSpace(s[i]))
                i++;
            if (i == s.Length)
                return parts;
            if (maxSplit >= 0 && parts.Count == maxSplit)
            {
                parts.Add(s[i..]);
                return parts;
            }
            var start = i;
            while (i < s.Length && !IsSpace(s[i]))
                i++;
            parts.Add(s[start..i]);
        }
    }

    private static List<string> RSplitWhitespace(string s, int maxSplit)
    {
        var parts = new List<string>();
        var end = s.Length;
        while (true)
        {
            while (end > 0 && IsSpace(s[end - 1]))
                end--;
            if (end == 0)
                break;
            if (parts.Count == maxSplit)
            {
                parts.Add(s[..end]);
                break;
            }
            var start = end;
            while (start > 0 && !IsSpace(s[start - 1]))
                start--;
            parts.Add(s[start..end]);
            end = start;
        }
        parts.Reverse();
        return parts;
    }
}
