using System.Text;
using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers;

/// <summary>
/// BERT's WordPiece as llama.cpp runs it (<c>tokenizer.ggml.model = bert</c>): normalise (optionally strip accents
/// and lowercase), split at whitespace and around punctuation and CJK characters, then cover each word greedily with
/// the longest matching tokens. Word-initial pieces carry a ▁ prefix in GGUF vocabularies; a word that cannot be
/// covered completely becomes the unknown token.
/// </summary>
internal sealed class WordPieceEncoder(Vocabulary vocabulary, bool lowercase, bool stripAccents, int unknownId) : ITextEncoder
{
    private const char WordStart = '\u2581';

    public void Encode(ReadOnlySpan<char> text, bool followsSpecial, List<int> output)
    {
        var word = new StringBuilder();
        word.Append(WordStart);
        foreach (var rune in text.EnumerateRunes())
        {
            var cp = stripAccents ? CanonicalDecomposition.FirstCodepoint(rune.Value) : rune.Value;
            var flags = Codepoints.Flags(cp);
            if ((flags & CodepointFlags.Whitespace) != 0)
            {
                EndWord(word, output);
                continue;
            }
            if (cp is 0 or Codepoints.Replacement || (flags & CodepointFlags.Control) != 0 || stripAccents && (flags & CodepointFlags.Mark) != 0)
                continue;
            var normalized = char.ConvertFromUtf32(lowercase ? Codepoints.ToLower(cp) : cp);
            if ((flags & CodepointFlags.Punctuation) != 0 || cp < 0x7F && (flags & CodepointFlags.Symbol) != 0 || IsCjk(cp))
            {
                EndWord(word, output);
                word.Append(normalized);
                EndWord(word, output);
            }
            else
            {
                word.Append(normalized);
            }
        }
        EndWord(word, output);
    }

    /// <summary>Tokenizes the word collected so far (if any) and starts the next one.</summary>
    private void EndWord(StringBuilder word, List<int> output)
    {
        if (word.Length > 1)
            CoverGreedily(word.ToString(), output);
        word.Clear().Append(WordStart);
    }

    private void CoverGreedily(string word, List<int> output)
    {
        var first = output.Count;
        for (var i = 0; i < word.Length;)
        {
            var matched = false;
            for (var end = Math.Min(word.Length, i + vocabulary.MaxTokenChars); end > i; end--)
            {
                if (vocabulary.TryGetId(word.AsSpan(i, end - i), out var id))
                {
                    output.Add(id);
                    i = end;
                    matched = true;
                    break;
                }
            }
            if (!matched)
            {
                output.RemoveRange(first, output.Count - first);
                break;
            }
        }
        if (output.Count == first && unknownId != Tokenizer.NoToken)
            output.Add(unknownId);
    }

    /// <summary>The CJK blocks BERT isolates, including its 0x2B920 start for Extension E (0x2B820 in Unicode).</summary>
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
