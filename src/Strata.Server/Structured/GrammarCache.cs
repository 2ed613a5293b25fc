using System.Collections.Concurrent;
using Strata.Engine.Constraints;
using Strata.Grammar;
using Strata.Models.Tokenizers;
using Strata.Server.Protocol;

namespace Strata.Server.Structured;

/// <summary>
/// Compiled grammars by their GBNF text, so every request with the same schema shares one grammar and its cached
/// token masks. Bounded: when full it starts over, as a cache of a few schemas per client would.
/// </summary>
internal sealed class GrammarCache(Tokenizer tokenizer, int capacity = 256)
{
    private readonly ConcurrentDictionary<string, TokenGrammar> _grammars = new(StringComparer.Ordinal);

    public int Count => _grammars.Count;

    public TokenGrammar Get(OutputGrammar grammar)
    {
        if (_grammars.TryGetValue(grammar.Gbnf, out var cached))
            return cached;
        TokenGrammar compiled;
        try
        {
            compiled = new TokenGrammar(CompiledGrammar.FromGbnf(grammar.Gbnf), TokenVocabularies.For(tokenizer));
        }
        catch (GrammarException ex)
        {
            throw ApiException.BadRequest($"Invalid '{grammar.Param}': {ex.Message}.", grammar.Param, "invalid_grammar");
        }
        if (_grammars.Count >= capacity)
            _grammars.Clear();
        return _grammars.GetOrAdd(grammar.Gbnf, compiled);
    }
}
