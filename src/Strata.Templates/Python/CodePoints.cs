using System.Text;

namespace Strata.Templates.Python;

/// <summary>
/// Python strings are sequences of code points while .NET strings are UTF-16; these helpers give
/// lengths, indexes and slices in code points (a lone surrogate counts as one, as in Python).
/// </summary>
internal static class CodePoints
{
    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static int Count(string s)
    {
        if (!HasSurrogates(s))
            return s.Length;
        var count = 0;
        for (var i = 0; i < s.Length; i += Width(s, i))
            count++;
        return count;
    }

    public static IEnumerable<int> Values(string s)
    {
        for (var i = 0; i < s.Length; i += Width(s, i))
            yield return Width(s, i) == 2 ? char.ConvertToUtf32(s[i], s[i + 1]) : s[i];
    }

    /// <summary>Each code point as its own string, in order.</summary>
    public static List<string> Split(string s)
    {
        var result = new List<string>(s.Length);
        for (var i = 0; i < s.Length; i += Width(s, i))
            result.Add(s.Substring(i, Width(s, i)));
        return result;
    }

    /// <summary>The code point at a Python index (negative counts from the end), or null when out of range.</summary>
    public static string? At(string s, long index)
    {
        if (!HasSurrogates(s))
        {
            if (index < 0)
                index += s.Length;
            return index >= 0 && index < s.Length ? s[(int)index].ToString() : null;
        }
        var characters = Split(s);
        if (index < 0)
            index += characters.Count;
        return index >= 0 && index < characters.Count ? characters[(int)index] : null;
    }

    public static string Slice(string s, long? start, long? stop, long? step)
    {
        if (!HasSurrogates(s) && (step ?? 1) == 1)
        {
            var (from, to) = PythonSlice.Bounds(s.Length, start, stop);
            return s[from..to];
        }
        var characters = Split(s);
        var sb = new StringBuilder();
        foreach (var i in PythonSlice.Indices(characters.Count, start, stop, step))
            sb.Append(characters[i]);
        return sb.ToString();
    }

    public static string Reverse(string s)
    {
        var characters = Split(s);
        characters.Reverse();
        return string.Concat(characters);
    }

    private static int Width(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
}
