namespace Strata.Models.Tokenizers;

/// <summary>A piece of the input: either a special token found in the text, or a run of plain text to encode.</summary>
internal readonly record struct TextFragment(int TokenId, int Start, int Length)
{
    public bool IsToken => TokenId != Tokenizer.NoToken;

    public static TextFragment Token(int id) => new(id, 0, 0);

    public static TextFragment Text(int start, int length) => new(Tokenizer.NoToken, start, length);
}
