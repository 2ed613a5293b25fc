namespace Strata.Server.Protocol;

/// <summary>A completions prompt: either text to tokenize or token ids given directly.</summary>
internal sealed record CompletionPrompt(string? Text, int[]? Tokens);
