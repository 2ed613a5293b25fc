namespace Strata.Cli.ServeBenchmark;

/// <summary>The <c>usage</c> object of a response; <paramref name="CachedTokens"/> is null when the server does not report it.</summary>
internal sealed record TokenUsage(int PromptTokens, int CompletionTokens, int? CachedTokens);
