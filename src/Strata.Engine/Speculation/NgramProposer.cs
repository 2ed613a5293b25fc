namespace Strata.Engine.Speculation;

/// <summary>
/// Prompt lookup: finds the latest earlier occurrence of the sequence's last n tokens (n from <paramref name="maxN"/>
/// down to <paramref name="minN"/>) and proposes what followed it. An index per n maps each n-gram to where it last
/// ended, kept up to date as tokens arrive, so a step costs the new tokens and a few look-ups, not a scan of the prompt.
/// A continuation that runs into the matched suffix itself (a repeating pattern) keeps repeating it.
/// </summary>
internal sealed class NgramProposer : IDraftProposer
{
    private readonly int _minN;
    private readonly Dictionary<ulong, int>[] _lastEnd;
    private int _indexed;

    public NgramProposer(int minN, int maxN)
    {
        _minN = minN;
        _lastEnd = new Dictionary<ulong, int>[maxN - minN + 1];
        for (var i = 0; i < _lastEnd.Length; i++)
            _lastEnd[i] = [];
    }

    private int MaxN => _minN + _lastEnd.Length - 1;

    public int Propose(ReadOnlySpan<int> tokens, Span<int> drafts, Span<Continuation> evidence = default)
    {
        // Index every n-gram ending before the last token, so a match is always an earlier occurrence.
        var end = tokens.Length - 1;
        for (; _indexed < end; _indexed++)
            Index(tokens, _indexed);
        for (var n = Math.Min(MaxN, end); n >= _minN; n--)
        {
            var suffix = tokens.Slice(end - n + 1, n);
            if (!_lastEnd[n - _minN].TryGetValue(Hash(suffix), out var found) || !tokens.Slice(found - n + 1, n).SequenceEqual(suffix))
                continue;
            var period = end - found;
            for (var i = 0; i < drafts.Length; i++)
                drafts[i] = i < period ? tokens[found + 1 + i] : drafts[i - period];
            return drafts.Length;
        }
        return 0;
    }

    /// <summary>Records the n-grams ending at <paramref name="position"/> as their latest occurrence.</summary>
    private void Index(ReadOnlySpan<int> tokens, int position)
    {
        for (var n = _minN; n <= Math.Min(MaxN, position + 1); n++)
            _lastEnd[n - _minN][Hash(tokens.Slice(position - n + 1, n))] = position;
    }

    private static ulong Hash(ReadOnlySpan<int> gram)
    {
        var hash = 14695981039346656037UL;
        foreach (var token in gram)
            hash = (hash ^ (uint)token) * 1099511628211UL;
        return hash;
    }
}
