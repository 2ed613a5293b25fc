namespace Strata.Engine.Speculation;

/// <summary>
/// One choice's speculation: its proposer, how many drafts it may verify next (k, adapted from its recent acceptance)
/// and the list its drafts are written to (reused every step).
/// </summary>
internal sealed class SequenceSpeculation(IDraftProposer proposer, int maxDrafts)
{
    private readonly int[] _buffer = new int[maxDrafts];

    public IDraftProposer Proposer { get; } = proposer;

    /// <summary>Drafts to ask for next: all of them after a fully accepted step (+2), one more than were accepted after a rejection.</summary>
    public int Length { get; private set; } = maxDrafts;

    /// <summary>Accepted drafts per verification, a moving average: who gets the step's spare positions first.</summary>
    public double Acceptance { get; private set; } = maxDrafts;

    public List<int> Drafts { get; } = new(maxDrafts);

    /// <summary>Asks the proposer for up to <paramref name="count"/> drafts to follow <paramref name="tokens"/> into <see cref="Drafts"/>.</summary>
    public void Propose(ReadOnlySpan<int> tokens, int count)
    {
        Drafts.Clear();
        var proposed = Proposer.Propose(tokens, _buffer.AsSpan(0, count));
        for (var i = 0; i < proposed; i++)
            Drafts.Add(_buffer[i]);
    }

    public void Verified(int drafts, int accepted)
    {
        Length = accepted == drafts ? Math.Min(_buffer.Length, Length + 2) : accepted + 1;
        Acceptance = 0.7 * Acceptance + 0.3 * accepted;
    }
}
