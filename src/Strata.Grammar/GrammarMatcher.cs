using Strata.Grammar.Matching;

namespace Strata.Grammar;

/// <summary>
/// One sequence's place in a grammar: masks the logits of tokens that cannot continue a valid output, advances over
/// accepted tokens, and can be rolled back or copied (for speculative drafts and for forked choices). Its states are
/// shared and immutable, so rollback is popping a list and a copy is a list copy.
/// </summary>
public sealed class GrammarMatcher
{
    private readonly TokenGrammar _grammar;
    private readonly List<MatchState> _history;

    internal GrammarMatcher(TokenGrammar grammar, MatchState start)
    {
        _grammar = grammar;
        _history = [start];
    }

    private GrammarMatcher(TokenGrammar grammar, List<MatchState> history)
    {
        _grammar = grammar;
        _history = [.. history];
    }

    private MatchState Current => _history[^1];

    /// <summary>The output so far is complete and nothing may follow: generation should stop.</summary>
    public bool IsComplete => Current.IsComplete;

    /// <summary>The output so far is a complete sentence (it may still go on).</summary>
    public bool CanEnd => Current.Accepts;

    /// <summary>Tokens accepted since the start (what <see cref="Rollback"/> can undo).</summary>
    public int AcceptedTokens => _history.Count - 1;

    /// <summary>Sets the logits of tokens that may not come next to −∞ (see <see cref="TokenGrammar"/>).</summary>
    public void MaskLogits(Span<float> logits, int remainingTokens = int.MaxValue) => _grammar.Mask(Current, logits, remainingTokens);

    /// <summary>Whether <paramref name="token"/> may come next.</summary>
    public bool Allows(int token) => !_grammar.Advance(Current, token).IsDead;

    /// <summary>Advances over <paramref name="token"/>; false (and no change) if the grammar does not allow it.</summary>
    public bool Accept(int token)
    {
        var next = _grammar.Advance(Current, token);
        if (next.IsDead)
            return false;
        _history.Add(next);
        return true;
    }

    /// <summary>Undoes the last <paramref name="tokens"/> accepted tokens.</summary>
    public void Rollback(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tokens, AcceptedTokens);
        _history.RemoveRange(_history.Count - tokens, tokens);
    }

    public GrammarMatcher Clone() => new(_grammar, _history);
}
