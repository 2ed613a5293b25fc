namespace Strata.Engine.Speculation;

/// <summary>The distributions a draft model drew one sequence's drafts from (q in speculative sampling): one vocabulary-wide row per draft.</summary>
internal sealed class DraftDistributions(int drafts, int vocab)
{
    private readonly float[] _rows = new float[drafts * vocab];

    public Span<float> this[int draft] => _rows.AsSpan(draft * vocab, vocab);
}
