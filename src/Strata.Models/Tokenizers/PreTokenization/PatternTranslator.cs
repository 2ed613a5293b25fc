using System.Globalization;
using System.Text;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// Translates a pre-tokenizer pattern, written for the ECMAScript engine llama.cpp uses (std::regex), into a .NET
/// pattern over the one-char-per-code-point text that <see cref="CodepointCollapse"/> produces. The differences it
/// bridges: <c>\s</c> and <c>\d</c> are ASCII-only in std::regex, <c>$</c> matches only at the very end (.NET also
/// matches before a final \n), <c>.</c> excludes \r and the Unicode line separators, <c>\p{..}</c> become the
/// collapsed category chars, and astral code points become single chars.
/// </summary>
internal static class PatternTranslator
{
    private const string AsciiWhitespace = @"\t\n\x0B\f\r ";

    public static (string Pattern, CodepointCollapse Collapse) Translate(string pattern)
    {
        var runes = pattern.EnumerateRunes().Select(r => r.Value).ToArray();
        var usesCategories = pattern.Contains(@"\p{", StringComparison.Ordinal);
        if (usesCategories && runes.Any(cp => cp >= 0x80))
            throw new NotSupportedException($"pattern mixes Unicode categories with non-ASCII characters: {pattern}");

        var astral = new AstralCharMap(runes.Where(cp => cp > 0xFFFF));
        var collapse = usesCategories ? CodepointCollapse.ByCategory : CodepointCollapse.Literal(astral);
        var output = new StringBuilder(pattern.Length * 2);
        var inClass = false;
        for (var i = 0; i < runes.Length; i++)
        {
            var cp = runes[i];
            if (cp == '\\')
            {
                if (++i == runes.Length)
                    throw new NotSupportedException($"pattern ends with a lone backslash: {pattern}");
                i = TranslateEscape(runes, i, inClass, output, pattern);
            }
            else if (cp == '[' && !inClass)
            {
                inClass = true;
                output.Append('[');
            }
            else if (cp == ']' && inClass)
            {
                inClass = false;
                output.Append(']');
            }
            else if (cp == '[')
            {
                output.Append(@"\["); // a literal in ECMAScript, but .NET would read "-[" as class subtraction
            }
            else if (cp == '$' && !inClass)
            {
                output.Append(@"\z");
            }
            else if (cp == '.' && !inClass)
            {
                output.Append(@"[^\n\r\u2028\u2029]");
            }
            else if (cp > 0xFFFF)
            {
                AppendChar(output, astral.Map(cp));
            }
            else if (cp >= 0x80)
            {
                AppendChar(output, (char)cp);
            }
            else
            {
                output.Append((char)cp);
            }
        }
        if (inClass)
            throw new NotSupportedException($"pattern has an unterminated character class: {pattern}");
        return (output.ToString(), collapse);
    }

    /// <summary>Translates the escape whose letter is at <paramref name="i"/>; returns the index of its last code point.</summary>
    private static int TranslateEscape(int[] runes, int i, bool inClass, StringBuilder output, string pattern)
    {
        var letter = runes[i];
        switch (letter)
        {
            case 'p':
                var close = Array.IndexOf(runes, '}', i);
                if (i + 1 >= runes.Length || runes[i + 1] != '{' || close < 0)
                    throw new NotSupportedException($"malformed \\p in pattern: {pattern}");
                var name = string.Concat(runes[(i + 2)..close].Select(c => (char)c));
                AppendClass(output, CategoryMembers(name, pattern), inClass);
                return close;
            case 's':
                AppendClass(output, AsciiWhitespace, inClass);
                return i;
            case 'd':
                AppendClass(output, "0-9", inClass);
                return i;
            case 'S' or 'D' when !inClass:
                output.Append(letter == 'S' ? $"[^{AsciiWhitespace}]" : "[^0-9]");
                return i;
            case 'r' or 'n' or 't' or 'f' or 'v':
                output.Append('\\').Append((char)letter);
                return i;
            case < 0x80 when !char.IsAsciiLetterOrDigit((char)letter):
                output.Append('\\').Append((char)letter); // an escaped punctuation character stands for itself
                return i;
            default:
                throw new NotSupportedException($"escape \\{char.ConvertFromUtf32(letter)} is not supported in pattern: {pattern}");
        }
    }

    /// <summary>
    /// The class body for a category: its collapsed char plus its ASCII members, exactly as llama.cpp lists them
    /// (note that '~' is missing from \p{S} there, so it is missing here).
    /// </summary>
    private static string CategoryMembers(string name, string pattern) => name switch
    {
        "N" => $@"\u{(int)CodepointCollapse.Number:X4}0-9",
        "L" or "Lu" or "Ll" or "Lt" or "Lm" or "Lo" => $@"\u{(int)CodepointCollapse.Letter:X4}A-Za-z",
        "P" => $@"\u{(int)CodepointCollapse.Punctuation:X4}!-#%-*,-/:;?@\[-\]_\{{\}}",
        "M" => $@"\u{(int)CodepointCollapse.Mark:X4}",
        "S" => $@"\u{(int)CodepointCollapse.Symbol:X4}\$\+<->\^`\|",
        _ => throw new NotSupportedException($"Unicode category \\p{{{name}}} is not supported in pattern: {pattern}"),
    };

    private static void AppendClass(StringBuilder output, string members, bool inClass)
    {
        if (inClass)
            output.Append(members);
        else
            output.Append('[').Append(members).Append(']');
    }

    private static void AppendChar(StringBuilder output, char c) =>
        output.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
}
