namespace Strata.Models.Tokenizers;

/// <summary>Turns a run of plain text (special tokens already split out) into token ids, for one model family.</summary>
internal interface ITextEncoder
{
    /// <param name="text">The text; never empty.</param>
    /// <param name="followsSpecial">True at the start of the input or right after a special token (SentencePiece then adds its space prefix).</param>
    /// <param name="output">Receives the ids.</param>
    void Encode(ReadOnlySpan<char> text, bool followsSpecial, List<int> output);
}
