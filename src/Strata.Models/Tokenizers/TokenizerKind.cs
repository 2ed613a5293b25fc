namespace Strata.Models.Tokenizers;

/// <summary>The tokenizer families, by <c>tokenizer.ggml.model</c>.</summary>
internal enum TokenizerKind
{
    /// <summary><c>llama</c>: SentencePiece with ▁ for spaces and byte fallback.</summary>
    SentencePiece,

    /// <summary><c>gpt2</c>: byte-level BPE with ranked merges and a pre-tokenizer.</summary>
    BytePairEncoding,

    /// <summary><c>bert</c>: WordPiece.</summary>
    WordPiece,
}
