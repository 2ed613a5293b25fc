namespace Strata.Engine.Speculation;

/// <summary>
/// One choice's speculation: its proposer (none for the draft model, which proposes for all sequences at once), how
/// many drafts it may verify next (k, adapted from its recent acceptance) and the list its drafts are written to (reused
/// every step), with the distributions a draft model drew them from.
/// </summary>
internal sealed class SequenceSpeculation(IDraftProposer? proposer, int maxDrafts)
{
    private const double Decay = 0.8;
    private const double IdleDecay = 0.97;

    private readonly int[] _buffer = new int[maxDrafts];
    private double _accepted = 1, _trials = 2;

    public IDraftProposer? Proposer { get; } = proposer;

    /// <summary>Drafts to ask for next: all of them after a fully accepted step (+2), one more than were accepted after a rejection.</summary>
    public int Length { get; private set; } = maxDrafts;

    /// <summary>
    /// The chance that a draft is accepted given the ones before it were, estimated from recent verifications (accepted
    /// drafts over accepted drafts plus the rejection that ended a verification), starting from an even chance.
    /// </summary>
    public double Acceptance => _accepted / _trials;

    public List<int> Drafts { get; } = new(maxDrafts);

    /// <summary>The distribution each draft was drawn from (q), for a draft model's drafts; null for one-hot drafts.</summary>
    public DraftDistributions? Proposals { get; set; }

    /// <summary>Asks the proposer for up to <paramref name="count"/> drafts to follow <paramref name="tokens"/> into <see cref="Drafts"/>.</summary>
    public void Propose(ReadOnlySpan<int> tokens, int count)
    {
        Drafts.Clear();
        var proposed = Proposer!.Propose(tokens, _buffer.AsSpan(0, count));
        for (var i = 0; i < proposed; i++)
            Drafts.Add(_buffer[i]);
    }

    /// <summary>A step without drafts: the estimate drifts back toward an even chance, so a sequence whose drafts once failed tries again later.</summary>
    public void Idle()
    {
        _accepted = _accepted * IdleDecay + (1 - IdleDecay);
        _trials = _trials * IdleDecay + 2 * (1 - IdleDecay);
    }

    public void Verified(int drafts, int accepted)
    {
        Length = accepted == drafts ? Math.Min(_buffer.Length, Length + 2) : accepted + 1;
        _accepted = _accepted * Decay + accepted;
        _trials = _trials * Decay + accepted + (accepted < drafts ? 1 : 0);
    }
}
