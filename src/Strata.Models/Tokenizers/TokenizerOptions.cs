namespace Strata.Models.Tokenizers;

/// <summary>The behaviour flags of a tokenizer after llama.cpp's per-model defaults and the GGUF overrides.</summary>
/// <param name="AddBos">Encoding with special tokens adds BOS.</param>
/// <param name="AddEos">Encoding with special tokens adds EOS.</param>
/// <param name="AddSpacePrefix">SentencePiece adds a space before text at the start or after a special token; decoding removes one.</param>
/// <param name="CleanSpaces">Decoding applies <see cref="SpaceCleanup"/>.</param>
internal sealed record TokenizerOptions(bool AddBos, bool AddEos, bool AddSpacePrefix, bool CleanSpaces);
