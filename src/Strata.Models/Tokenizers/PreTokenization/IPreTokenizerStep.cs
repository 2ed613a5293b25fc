using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.PreTokenization;

/// <summary>
/// One pattern of a pre-tokenizer. Steps run in sequence: each one splits every piece the previous step produced
/// (never joins them), like llama.cpp applying a model's regex list one expression at a time.
/// </summary>
internal interface IPreTokenizerStep
{
    /// <summary>
    /// Splits each piece of <paramref name="pieces"/> (consecutive lengths in code points covering
    /// <paramref name="codepoints"/>) and appends the lengths of the resulting pieces to <paramref name="output"/>.
    /// </summary>
    void Split(ReadOnlySpan<int> codepoints, ReadOnlySpan<CodepointFlags> flags, List<int> pieces, List<int> output);
}
