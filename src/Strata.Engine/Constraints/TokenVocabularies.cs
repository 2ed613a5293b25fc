using System.Runtime.CompilerServices;
using Strata.Grammar;
using Strata.Models.Tokenizers;

namespace Strata.Engine.Constraints;

/// <summary>The grammar engine's view of a tokenizer (each token's output bytes and the end tokens), built once per tokenizer.</summary>
public static class TokenVocabularies
{
    private static readonly ConditionalWeakTable<Tokenizer, TokenVocabulary> Built = [];

    public static TokenVocabulary For(Tokenizer tokenizer) => Built.GetValue(tokenizer, Create);

    private static TokenVocabulary Create(Tokenizer tokenizer)
    {
        var pieces = new byte[tokenizer.VocabSize][];
        var ends = new List<int>();
        for (var id = 0; id < pieces.Length; id++)
        {
            pieces[id] = tokenizer.PieceBytes(id).ToArray();
            if (tokenizer.IsEndOfGeneration(id))
                ends.Add(id);
        }
        return new TokenVocabulary(pieces, ends);
    }
}
