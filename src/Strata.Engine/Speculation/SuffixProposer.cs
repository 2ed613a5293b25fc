namespace Strata.Engine.Speculation;

/// <summary>One sequence's view of the shared <see cref="SuffixTree"/>: its tokens join the tree as they arrive, then the tree proposes.</summary>
internal sealed class SuffixProposer(SuffixTree tree) : IDraftProposer
{
    private readonly SuffixTree.Entry _entry = tree.Add();
    private int _added;

    public int Propose(ReadOnlySpan<int> tokens, Span<int> drafts, Span<Continuation> evidence = default)
    {
        tree.Extend(_entry, tokens[_added..]);
        _added = tokens.Length;
        return drafts.IsEmpty ? 0 : tree.Propose(_entry, drafts, evidence);
    }
}
