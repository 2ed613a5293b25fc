namespace Strata.Engine.Speculation;

/// <summary>
/// Proposes the tokens likely to follow one sequence's tokens; one instance per sequence, asked once per step with the
/// sequence's tokens so far (they only ever grow). A wrong proposal costs a verified position, never correctness.
/// </summary>
internal interface IDraftProposer
{
    /// <summary>
    /// Writes up to <c>drafts.Length</c> tokens to follow <paramref name="tokens"/>, and for each the evidence for it
    /// into <paramref name="evidence"/> when that is not empty (left as none by a proposer that keeps no counts); returns how many.
    /// </summary>
    int Propose(ReadOnlySpan<int> tokens, Span<int> drafts, Span<Continuation> evidence = default);
}
