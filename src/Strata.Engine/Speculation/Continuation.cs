namespace Strata.Engine.Speculation;

/// <summary>
/// A proposer's evidence for one draft: of the <see cref="Seen"/> earlier occurrences of the path it continues (the
/// matched context plus the drafts before it), <see cref="Followed"/> went on with it. None (0 of 0) for a proposer that
/// keeps no counts: the sequence's own acceptance then prices the draft alone.
/// </summary>
internal readonly record struct Continuation(int Followed, int Seen)
{
    /// <summary>
    /// The chance the draft is accepted given the ones before it were: the counts, with the sequence's acceptance
    /// <paramref name="prior"/> counting as one more occurrence (a continuation seen once is a guess; one that followed
    /// the path in twenty earlier requests is all but certain).
    /// </summary>
    public double Chance(double prior) => (Followed + prior) / (Seen + 1.0);
}
