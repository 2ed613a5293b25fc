using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// How a pattern's input is turned into one char per code point before .NET's regex engine sees it, following
/// llama.cpp. Patterns that use Unicode categories run on a "collapsed" text: ASCII stays, other whitespace becomes
/// \v, and every other code point becomes the representative char of its category, which the translated pattern's
/// <c>\p{..}</c> classes match. Patterns without categories see the code points themselves (other whitespace still
/// becomes \v, astral code points go through an <see cref="AstralCharMap"/>).
/// </summary>
internal sealed class CodepointCollapse
{
    public const char Number = '\u00D1';
    public const char Letter = '\u00D2';
    public const char Punctuation = '\u00D3';
    public const char Mark = '\u00D4';
    public const char Symbol = '\u00D5';
    private const char OtherCategory = '\u00D0';
    private const char OtherWhitespace = '\v';

    private readonly AstralCharMap? _astral;

    private CodepointCollapse(AstralCharMap? astral) => _astral = astral;

    public static CodepointCollapse ByCategory { get; } = new(null);

    public static CodepointCollapse Literal(AstralCharMap astral) => new(astral);

    public char Map(int codepoint, CodepointFlags flags)
    {
        if (codepoint < 0x80)
            return (char)codepoint;
        if ((flags & CodepointFlags.Whitespace) != 0)
            return OtherWhitespace;
        if (_astral is not null)
            return codepoint > 0xFFFF ? _astral.Map(codepoint) : (char)codepoint;
        return (flags & ~CodepointFlags.Whitespace) switch
        {
            CodepointFlags.Number => Number,
            CodepointFlags.Letter => Letter,
            CodepointFlags.Punctuation => Punctuation,
            CodepointFlags.Mark => Mark,
            CodepointFlags.Symbol => Symbol,
            _ => OtherCategory,
        };
    }
}
