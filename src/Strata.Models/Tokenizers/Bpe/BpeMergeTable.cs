namespace Strata.Models.Tokenizers.Bpe;

/// <summary>
/// The ranked merges of a byte-level BPE vocabulary, keyed by pairs of symbol ids so that merging never builds
/// strings. A symbol is any text a merge can produce or consume: token texts keep their token id as symbol id, texts
/// that are not tokens are numbered from <see cref="Vocabulary.Count"/> upward.
/// </summary>
internal sealed class BpeMergeTable
{
    private readonly Dictionary<long, Merge> _merges;
    private readonly int[] _byteSymbols;
    private readonly int _tokenCount;

    private BpeMergeTable(Dictionary<long, Merge> merges, int[] byteSymbols, int tokenCount)
    {
        _merges = merges;
        _byteSymbols = byteSymbols;
        _tokenCount = tokenCount;
    }

    /// <summary>Builds the table from <c>tokenizer.ggml.merges</c> entries ("left right", rank = position).</summary>
    public static BpeMergeTable Build(Vocabulary vocabulary, string[] merges)
    {
        var extraSymbols = new Dictionary<string, int>(StringComparer.Ordinal);
        int SymbolOf(string text)
        {
            var id = vocabulary.IdOf(text);
            if (id != Tokenizer.NoToken)
                return id;
            if (!extraSymbols.TryGetValue(text, out id))
                extraSymbols.Add(text, id = vocabulary.Count + extraSymbols.Count);
            return id;
        }

        var byteSymbols = new int[256];
        for (var b = 0; b < 256; b++)
            byteSymbols[b] = SymbolOf(ByteLevel.ToChar((byte)b).ToString());

        var table = new Dictionary<long, Merge>(merges.Length);
        for (var rank = 0; rank < merges.Length; rank++)
        {
            var entry = merges[rank];
            // Split at the first space after the first character, as llama.cpp does.
            var space = entry.Length > 1 ? entry.IndexOf(' ', 1) : -1;
            if (space < 0)
                continue;
            var left = entry[..space];
            var right = entry[(space + 1)..];
            table.TryAdd(Key(SymbolOf(left), SymbolOf(right)), new Merge(rank, SymbolOf(left + right)));
        }
        return new BpeMergeTable(table, byteSymbols, vocabulary.Count);
    }

    public int ByteSymbol(byte value) => _byteSymbols[value];

    public bool TryGetMerge(int left, int right, out Merge merge) => _merges.TryGetValue(Key(left, right), out merge);

    /// <summary>The token id a symbol spells, or <see cref="Tokenizer.NoToken"/> when its text is not in the vocabulary.</summary>
    public int TokenOf(int symbol) => symbol < _tokenCount ? symbol : Tokenizer.NoToken;

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    internal readonly record struct Merge(int Rank, int Symbol);
}
