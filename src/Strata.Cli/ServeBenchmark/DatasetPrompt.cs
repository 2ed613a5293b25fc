namespace Strata.Cli.ServeBenchmark;

/// <summary>One request of a dataset as token ids, for the simulator: the whole prompt (any shared prefix first) and the tokens to generate.</summary>
internal sealed record DatasetPrompt(int[] Tokens, int MaxTokens);
