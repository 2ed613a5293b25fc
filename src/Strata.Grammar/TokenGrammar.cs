using System.Numerics;
using Strata.Grammar.Matching;

namespace Strata.Grammar;

/// <summary>
/// A grammar bound to a vocabulary: the states it reaches, their byte transitions and their token masks are computed
/// once and kept, so matchers of every request that uses the same grammar share them. Thread-safe.
/// </summary>
public sealed class TokenGrammar
{
    private readonly Lock _gate = new();
    private readonly GrammarAutomaton _automaton;

    public TokenGrammar(CompiledGrammar grammar, TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Grammar = grammar;
        Vocabulary = vocabulary;
        _automaton = new GrammarAutomaton(grammar);
    }

    public CompiledGrammar Grammar { get; }

    public TokenVocabulary Vocabulary { get; }

    /// <summary>States reached so far (each a set of parse stacks); a measure of what the caches hold.</summary>
    public int StateCount
    {
        get
        {
            lock (_gate)
                return _automaton.StateCount;
        }
    }

    public GrammarMatcher CreateMatcher() => new(this, _automaton.Start);

    internal MatchState Advance(MatchState state, int token)
    {
        var piece = Vocabulary.Pieces[token];
        if (piece.Length == 0)
            return Vocabulary.EndTokens.Contains(token) && state.Accepts ? state : _automaton.Dead;
        lock (_gate)
        {
            foreach (var b in piece)
            {
                state = _automaton.Next(state, b);
                if (state.IsDead)
                    break;
            }
        }
        return state;
    }

    /// <summary>
    /// Sets the logits of tokens that cannot come next to −∞. With fewer than <paramref name="remainingTokens"/>
    /// left, only tokens after which the sentence can still be completed in time are kept (every byte can be
    /// written as one token, so a state <c>n</c> bytes from the end needs at most <c>n</c> more tokens).
    /// </summary>
    internal void Mask(MatchState state, Span<float> logits, int remainingTokens)
    {
        ulong[] mask;
        lock (_gate)
        {
            if (state.Mask is null)
            {
                var bits = ComputeMask(state, budget: -1, out var maxMinBytes);
                // Where no token can continue (the vocabulary cannot spell what the grammar needs), ending is the
                // only way out.
                if (bits.All(w => w == 0))
                    AddEndTokens(bits);
                state.Mask = bits;
                state.MaxMinBytesAfterToken = maxMinBytes;
            }
            mask = state.Mask;
            var budget = remainingTokens - 1;
            if (budget < state.MaxMinBytesAfterToken)
            {
                // When not even the shortest ending fits, the output will be cut anyway: keep it well-formed so far.
                var tight = ComputeMask(state, budget, out _);
                if (tight.Any(w => w != 0))
                    mask = tight;
            }
        }
        Apply(mask, logits);
    }

    private ulong[] ComputeMask(MatchState state, int budget, out int maxMinBytes)
    {
        var bits = new ulong[Vocabulary.MaskWords];
        maxMinBytes = 0;
        Walk(0, state, bits, budget, ref maxMinBytes);
        if (state.Accepts)
            AddEndTokens(bits);
        return bits;
    }

    private void AddEndTokens(ulong[] bits)
    {
        foreach (var end in Vocabulary.EndTokens)
            bits[end >> 6] |= 1UL << (end & 63);
    }

    private void Walk(int node, MatchState state, ulong[] bits, int budget, ref int maxMinBytes)
    {
        var trie = Vocabulary.Trie;
        var first = state.FirstBytes;
        for (var e = trie.EdgeStart[node]; e < trie.EdgeStart[node + 1]; e++)
        {
            var b = trie.EdgeByte[e];
            if (!first.Contains(b))
                continue;
            var next = _automaton.Next(state, b);
            if (next.IsDead)
                continue;
            var child = trie.EdgeChild[e];
            // One byte brings the end at most one byte closer, so nothing below can finish in time.
            if (budget >= 0 && next.MinBytes - trie.DepthBelow[child] > budget)
                continue;
            if (budget < 0 || next.MinBytes <= budget)
            {
                for (var t = trie.TokenStart[child]; t < trie.TokenStart[child + 1]; t++)
                {
                    var token = trie.Tokens[t];
                    bits[token >> 6] |= 1UL << (token & 63);
                }
                if (trie.TokenStart[child] < trie.TokenStart[child + 1])
                    maxMinBytes = Math.Max(maxMinBytes, next.MinBytes);
            }
            Walk(child, next, bits, budget, ref maxMinBytes);
        }
    }

    private static void Apply(ulong[] mask, Span<float> logits)
    {
        var length = Math.Min(logits.Length, mask.Length * 64);
        for (var w = 0; w < mask.Length; w++)
        {
            var allowed = mask[w];
            if (allowed == ulong.MaxValue)
                continue;
            var start = w * 64;
            if (allowed == 0)
            {
                // Most words of a structural state block everything: one vectorized fill instead of 64 stores.
                logits.Slice(start, Math.Min(64, length - start)).Fill(float.NegativeInfinity);
                continue;
            }
            for (var blocked = ~allowed; blocked != 0; blocked &= blocked - 1)
            {
                var index = start + BitOperations.TrailingZeroCount(blocked);
                if (index >= length)
                    break;
                logits[index] = float.NegativeInfinity;
            }
        }
        // Logit rows wider than the vocabulary (padding) can never be a valid token.
        if (logits.Length > mask.Length * 64)
            logits[(mask.Length * 64)..].Fill(float.NegativeInfinity);
    }
}
