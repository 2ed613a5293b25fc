namespace Strata.Engine.Scheduling;

/// <summary>
/// Tokens [Start, Start + Count) of a sequence to run this step. A chunk that reaches the last known token
/// (<see cref="ProducesToken"/>) yields new tokens: one logit row for that token and one per draft after it
/// (<see cref="Drafts"/>, positions Length … Length + drafts − 1); the forks of an <c>n &gt; 1</c> request draw from
/// the first row too. Both flags describe the sequence as it was planned, before the step's tokens join it.
/// </summary>
internal readonly record struct ScheduledChunk(
    Sequence Sequence, int Start, int Count, IReadOnlyList<int> Drafts, IReadOnlyList<Sequence> Forks, bool ProducesToken, bool IsDecode)
{
    /// <summary>Token positions the forward pass runs: the known tokens and the drafts.</summary>
    public int TokenCount => Count + Drafts.Count;

    /// <summary>Logit rows the chunk needs: one per position whose next token is sampled or verified.</summary>
    public int LogitRows => ProducesToken ? 1 + Drafts.Count : 0;
}
