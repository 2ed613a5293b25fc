using Strata.Grammar.Matching;

namespace Strata.Grammar;

/// <summary>
/// What a grammar needs to know of a tokenizer: the bytes each token adds to the output (empty for control tokens)
/// and which tokens end generation. Builds the byte trie of all tokens once; share one per model.
/// </summary>
public sealed class TokenVocabulary
{
    public TokenVocabulary(IReadOnlyList<byte[]> pieces, IEnumerable<int> endTokens)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        Count = pieces.Count;
        Pieces = [.. pieces];
        EndTokens = [.. endTokens.Where(t => (uint)t < (uint)Count).Distinct().Order()];
        Trie = new TokenTrie(Pieces);
    }

    public int Count { get; }

    public IReadOnlyList<int> EndTokens { get; }

    internal byte[][] Pieces { get; }

    internal TokenTrie Trie { get; }

    /// <summary>Words of a bit mask over the vocabulary.</summary>
    internal int MaskWords => (Count + 63) / 64;
}
