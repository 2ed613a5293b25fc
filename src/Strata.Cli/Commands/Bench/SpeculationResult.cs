namespace Strata.Cli.Commands.Bench;

/// <summary>
/// Batch-1 greedy decode through the engine with one speculative method (null: none): tokens per second after the
/// first token, and the drafts verified and accepted over the timed requests.
/// </summary>
internal sealed record SpeculationResult(string Method, double DecodeTokS, long DraftTokens, long AcceptedTokens);
