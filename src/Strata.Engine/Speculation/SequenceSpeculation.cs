namespace Strata.Engine.Speculation;

/// <summary>
/// One choice's speculation: its proposer (none for the draft model, which proposes for all sequences at once), how
/// many drafts it may verify next (k, adapted from its recent acceptance) and the list its drafts are written to (reused
/// every step), with each draft's chance of acceptance and, for a draft model's drafts, the distributions they were drawn from.
/// </summary>
internal sealed class SequenceSpeculation
{
    private const double Decay = 0.8;
    private const double IdleRate = 0.03;

    private readonly int[] _buffer;
    private readonly Continuation[] _evidence;
    private readonly AcceptanceEstimate _acceptance;
    private bool _lastProposalCounted;

    /// <param name="prior">The acceptance to start from: the method's recent acceptance over all sequences, so a new request of a workload whose drafts are right drafts long from its first step.</param>
    public SequenceSpeculation(IDraftProposer? proposer, int maxDrafts, double prior)
    {
        Proposer = proposer;
        Length = maxDrafts;
        _buffer = new int[maxDrafts];
        _evidence = new Continuation[maxDrafts];
        _acceptance = new AcceptanceEstimate(prior, Decay);
        Drafts = new(maxDrafts);
        Chances = new(maxDrafts);
    }

    public IDraftProposer? Proposer { get; }

    /// <summary>
    /// Drafts to ask for next: all of them after a fully accepted step (+2), one more than were accepted after a
    /// rejection — unless the last proposal came with counts, whose chances size every proposal by themselves.
    /// </summary>
    public int Length { get; private set; }

    /// <summary>The chance that a draft is accepted given the ones before it were, estimated from this sequence's recent verifications.</summary>
    public double Acceptance => _acceptance.Value;

    public List<int> Drafts { get; }

    /// <summary>For each draft, the chance that it is accepted given the ones before it were: its proposer's counts with <see cref="Acceptance"/> as their prior.</summary>
    public List<double> Chances { get; }

    /// <summary>The distribution each draft was drawn from (q), for a draft model's drafts; null for one-hot drafts.</summary>
    public DraftDistributions? Proposals { get; set; }

    /// <summary>Asks the proposer for up to <paramref name="count"/> drafts to follow <paramref name="tokens"/> into <see cref="Drafts"/>, with their <see cref="Chances"/>.</summary>
    public void Propose(ReadOnlySpan<int> tokens, int count)
    {
        Drafts.Clear();
        Chances.Clear();
        var evidence = _evidence.AsSpan(0, count);
        evidence.Clear();
        var proposed = Proposer!.Propose(tokens, _buffer.AsSpan(0, count), evidence);
        for (var i = 0; i < proposed; i++)
        {
            Drafts.Add(_buffer[i]);
            Chances.Add(evidence[i].Chance(Acceptance));
        }
        _lastProposalCounted = proposed > 0 && evidence[0].Seen > 0;
    }

    /// <summary>Keeps only the first <paramref name="count"/> drafts (the rest do not pay for their rows).</summary>
    public void Keep(int count)
    {
        Drafts.RemoveRange(count, Drafts.Count - count);
        Chances.RemoveRange(count, Chances.Count - count);
    }

    /// <summary>A step without drafts: the estimate drifts back toward its prior, so a sequence whose drafts once failed tries again later.</summary>
    public void Idle() => _acceptance.Fade(IdleRate);

    public void Verified(int drafts, int accepted)
    {
        Length = _lastProposalCounted ? _buffer.Length : accepted == drafts ? Math.Min(_buffer.Length, Length + 2) : accepted + 1;
        _acceptance.Verified(drafts, accepted);
    }
}
