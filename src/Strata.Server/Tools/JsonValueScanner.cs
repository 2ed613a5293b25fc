namespace Strata.Server.Tools;

/// <summary>Finds where a JSON value that starts at some position ends, in text that may still be growing.</summary>
internal static class JsonValueScanner
{
    /// <summary>The index just past the value starting at <paramref name="start"/>, or -1 if it is not complete yet.</summary>
    public static int End(string text, int start)
    {
        if (start >= text.Length)
            return -1;
        var first = text[start];
        if (first is not ('{' or '[' or '"'))
        {
            // A number or literal ends at the first character that cannot belong to it.
            var i = start;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '-' or '+' or '.'))
                i++;
            return i < text.Length ? i : -1;
        }
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                        return i + 1;
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (--depth == 0)
                        return i + 1;
                    break;
            }
        }
        return -1;
    }
}
