namespace Strata.Server.Generation;

/// <summary>One generated token's log-probabilities: the chosen token, the most likely alternatives, and where its text starts in the choice's output.</summary>
internal sealed record LogprobEntry(LogprobToken Chosen, IReadOnlyList<LogprobToken> Top, int TextOffset);
