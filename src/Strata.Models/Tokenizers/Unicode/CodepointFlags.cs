namespace Strata.Models.Tokenizers.Unicode;

/// <summary>
/// The coarse Unicode classes the pre-tokenizer patterns ask about (\p{L}, \p{N}, \s, ...). <see cref="None"/> means
/// "outside the text being scanned", which no real code point has: unassigned code points are <see cref="Undefined"/>.
/// </summary>
[Flags]
internal enum CodepointFlags : ushort
{
    None = 0,
    Undefined = 1 << 0,
    Number = 1 << 1,
    Letter = 1 << 2,
    Separator = 1 << 3,
    Mark = 1 << 4,
    Punctuation = 1 << 5,
    Symbol = 1 << 6,
    Control = 1 << 7,
    Whitespace = 1 << 8,
}
