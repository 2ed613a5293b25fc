namespace Strata.Engine.Speculation;

/// <summary>
/// The chance that a draft is accepted given the ones before it were, from recent verifications: accepted drafts over
/// accepted drafts plus the rejections that ended verifications, each verification fading by <paramref name="decay"/>,
/// starting from <paramref name="prior"/> with the weight of two trials.
/// </summary>
internal sealed class AcceptanceEstimate(double prior, double decay)
{
    private const double PriorTrials = 2;

    private double _accepted = prior * PriorTrials, _trials = PriorTrials;

    public double Prior { get; } = prior;

    public double Value => _accepted / _trials;

    public void Verified(int drafts, int accepted)
    {
        _accepted = _accepted * decay + accepted;
        _trials = _trials * decay + accepted + (accepted < drafts ? 1 : 0);
    }

    /// <summary>Drifts back toward the prior by the fraction <paramref name="rate"/>, as if that much of a prior trial had been seen.</summary>
    public void Fade(double rate)
    {
        _accepted = _accepted * (1 - rate) + PriorTrials * Prior * rate;
        _trials = _trials * (1 - rate) + PriorTrials * rate;
    }
}
