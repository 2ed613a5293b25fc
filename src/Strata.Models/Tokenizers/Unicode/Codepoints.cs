using System.Globalization;
using System.Text;

namespace Strata.Models.Tokenizers.Unicode;

/// <summary>
/// Code point properties as llama.cpp's tokenizers see them, computed from .NET's own Unicode tables (minus the
/// code points llama.cpp's older tables do not know, see <see cref="NewerThanLlamaCpp"/>).
/// </summary>
internal static class Codepoints
{
    public const int Replacement = 0xFFFD;

    private static readonly CodepointFlags[] Bmp = BuildBmpTable();

    public static CodepointFlags Flags(int codepoint) =>
        (uint)codepoint < (uint)Bmp.Length ? Bmp[codepoint] : Compute(codepoint);

    /// <summary>The Unicode White_Space property (the 25 code points), which is what the patterns' \s means.</summary>
    public static bool IsWhitespace(int codepoint) => codepoint switch
    {
        >= 0x09 and <= 0x0D or 0x20 or 0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>
    /// The simple lowercase mapping of UnicodeData.txt. .NET's invariant casing leaves U+0130 alone (to stay
    /// culture-neutral), but the Unicode data, and so llama.cpp, maps it to 'i'.
    /// </summary>
    public static int ToLower(int codepoint) => codepoint switch
    {
        < 0x80 => codepoint is >= 'A' and <= 'Z' ? codepoint + 32 : codepoint,
        0x130 => 'i',
        _ when Rune.IsValid(codepoint) && !NewerThanLlamaCpp.Contains(codepoint) => Rune.ToLowerInvariant(new Rune(codepoint)).Value,
        _ => codepoint,
    };

    /// <summary>Appends the code points of <paramref name="text"/>; an unpaired surrogate becomes U+FFFD.</summary>
    public static void Decode(ReadOnlySpan<char> text, List<int> output)
    {
        while (!text.IsEmpty)
        {
            Rune.DecodeFromUtf16(text, out var rune, out var consumed);
            output.Add(rune.Value);
            text = text[consumed..];
        }
    }

    private static CodepointFlags[] BuildBmpTable()
    {
        var table = new CodepointFlags[0x10000];
        for (var cp = 0; cp < table.Length; cp++)
            table[cp] = Compute(cp);
        return table;
    }

    private static CodepointFlags Compute(int codepoint)
    {
        var flags = (uint)codepoint > 0x10FFFF || NewerThanLlamaCpp.Contains(codepoint)
            ? CodepointFlags.Undefined
            : Category(CharUnicodeInfo.GetUnicodeCategory(codepoint));
        return IsWhitespace(codepoint) ? flags | CodepointFlags.Whitespace : flags;
    }

    private static CodepointFlags Category(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodepointFlags.Letter,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CodepointFlags.Mark,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CodepointFlags.Number,
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => CodepointFlags.Separator,
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => CodepointFlags.Punctuation,
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
            or UnicodeCategory.OtherSymbol => CodepointFlags.Symbol,
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse => CodepointFlags.Control,
        _ => CodepointFlags.Undefined,
    };
}
