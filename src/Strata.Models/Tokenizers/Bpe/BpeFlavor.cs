using Strata.Models.Tokenizers.PreTokenization;

namespace Strata.Models.Tokenizers.Bpe;

/// <summary>What a <c>tokenizer.ggml.pre</c> name selects: the pre-tokenizer patterns and llama.cpp's flags for it.</summary>
/// <param name="Steps">The patterns, applied in sequence.</param>
/// <param name="CleanSpaces">Detokenizing removes the space before punctuation and some contractions.</param>
/// <param name="IgnoreMerges">A word that is a token as a whole is emitted without merging.</param>
/// <param name="AddBos">Adds BOS by default (the GGUF flag still overrides it).</param>
/// <param name="HasBos">False when the model has no BOS token unless the GGUF names one.</param>
internal sealed record BpeFlavor(
    IReadOnlyList<IPreTokenizerStep> Steps,
    bool CleanSpaces = true,
    bool IgnoreMerges = false,
    bool AddBos = false,
    bool HasBos = true);
