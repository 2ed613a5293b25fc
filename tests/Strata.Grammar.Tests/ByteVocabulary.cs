using System.Text;

namespace Strata.Grammar.Tests;

/// <summary>Small vocabularies for matching tests: every byte as a token, plus chosen multi-byte tokens, plus an end token.</summary>
internal static class ByteVocabulary
{
    public const int End = 256;

    /// <summary>Token ids 0–255 are the bytes, 256 ends generation, 257… are <paramref name="words"/>.</summary>
    public static TokenVocabulary With(params string[] words)
    {
        var pieces = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        pieces.Add([]);
        pieces.AddRange(words.Select(Encoding.UTF8.GetBytes));
        return new TokenVocabulary(pieces, [End]);
    }

    public static TokenGrammar Grammar(string gbnf, params string[] words) => new(CompiledGrammar.FromGbnf(gbnf), With(words));

    /// <summary>Whether <paramref name="text"/>, fed byte by byte, is a complete sentence of the grammar.</summary>
    public static bool Matches(TokenGrammar grammar, string text) => Feed(grammar, text) is { CanEnd: true };

    /// <summary>The matcher after <paramref name="text"/>, or null if some byte was refused.</summary>
    public static GrammarMatcher? Feed(TokenGrammar grammar, string text)
    {
        var matcher = grammar.CreateMatcher();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (!matcher.Accept(b))
                return null;
        }
        return matcher;
    }

    /// <summary>The token ids the matcher allows next.</summary>
    public static HashSet<int> Allowed(GrammarMatcher matcher, int vocabulary, int remaining = int.MaxValue)
    {
        var logits = new float[vocabulary];
        matcher.MaskLogits(logits, remaining);
        return Enumerable.Range(0, vocabulary).Where(i => !float.IsNegativeInfinity(logits[i])).ToHashSet();
    }
}
