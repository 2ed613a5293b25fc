namespace Strata.Engine.Speculation;

/// <summary>
/// One choice's speculation: its proposer (none for the draft model, which proposes for all sequences at once), its
/// recent acceptance, and the list its drafts are written to (reused every step), with the distributions a draft model
/// drew them from. A proposer's prediction is scored against the tokens that came whether or not it was verified: a
/// one-hot draft is accepted exactly when the token decoded at its position equals it, so a prediction left out of the
/// step is judged as fairly as a verified one, and a sequence that falls into a loop is known to before it drafts.
/// </summary>
internal sealed class SequenceSpeculation(IDraftProposer? proposer, int maxDrafts)
{
    private const double Decay = 0.8;
    private const double IdleDecay = 0.97;

    private readonly int[] _predicted = new int[maxDrafts];
    private int _predictedCount, _predictedAfter;
    // A draft model starts from an even chance; a proposer from none, as its predictions prove themselves unverified.
    private double _accepted = proposer is null ? 1 : 0, _trials = proposer is null ? 2 : 1;

    public IDraftProposer? Proposer { get; } = proposer;

    /// <summary>
    /// The chance that a draft is accepted given the ones before it were, estimated from recent predictions (right
    /// tokens over right tokens plus the wrong one that ended a prediction).
    /// </summary>
    public double Acceptance => _accepted / _trials;

    public List<int> Drafts { get; } = new(maxDrafts);

    /// <summary>The distribution each draft was drawn from (q), for a draft model's drafts; null for one-hot drafts.</summary>
    public DraftDistributions? Proposals { get; set; }

    /// <summary>Scores the last prediction against what followed it in <paramref name="tokens"/> (they only ever grow).</summary>
    public void Score(ReadOnlySpan<int> tokens)
    {
        var since = tokens[_predictedAfter..];
        var compared = Math.Min(since.Length, _predictedCount);
        var right = 0;
        while (right < compared && since[right] == _predicted[right])
            right++;
        if (compared > 0)
            Learn(right, rejected: right < compared);
        _predictedCount = 0;
    }

    /// <summary>Asks the proposer for its prediction of the tokens to follow <paramref name="tokens"/>; returns how many it gave (the most that may be drafted).</summary>
    public int Predict(ReadOnlySpan<int> tokens)
    {
        Drafts.Clear();
        _predictedCount = Proposer!.Propose(tokens, _predicted);
        _predictedAfter = tokens.Length;
        return _predictedCount;
    }

    /// <summary>Drafts the first <paramref name="count"/> tokens of the prediction.</summary>
    public void Draft(int count)
    {
        Drafts.Clear();
        for (var i = 0; i < count; i++)
            Drafts.Add(_predicted[i]);
    }

    /// <summary>
    /// A draft model's step without drafts: its estimate drifts back toward an even chance, so a sequence whose drafts
    /// once failed tries again later (a proposer's predictions are scored every step instead).
    /// </summary>
    public void Idle()
    {
        if (Proposer is not null)
            return;
        _accepted = _accepted * IdleDecay + (1 - IdleDecay);
        _trials = _trials * IdleDecay + 2 * (1 - IdleDecay);
    }

    /// <summary>A draft model's drafts were verified.</summary>
    public void Verified(int drafts, int accepted) => Learn(accepted, rejected: accepted < drafts);

    private void Learn(int accepted, bool rejected)
    {
        _accepted = _accepted * Decay + accepted;
        _trials = _trials * Decay + accepted + (rejected ? 1 : 0);
    }
}
