using Strata.Models.Tokenizers;

namespace Strata.Server.Protocol;

/// <summary>A completions prompt: either text to tokenize or token ids given directly.</summary>
internal sealed record CompletionPrompt(string? Text, int[]? Tokens)
{
    /// <summary>The prompt's token ids; like llama.cpp and vLLM, a text prompt gets the model's BOS and may spell special tokens by name.</summary>
    public int[] Tokenize(Tokenizer tokenizer) => Tokens ?? tokenizer.Encode(Text!, addSpecial: true, parseSpecial: true);
}
