using System.Buffers;
using System.Text;

namespace Strata.Models.Tokenizers;

/// <summary>
/// SentencePiece BPE as llama.cpp runs it (<c>tokenizer.ggml.model = llama</c>): spaces become ▁ (with one added in
/// front after a special token or at the start), then starting from single characters, the adjacent pair whose
/// concatenation is the highest-scoring token is merged until no pair is a token. A character no token spells is
/// emitted as its UTF-8 bytes through the <c>&lt;0xXX&gt;</c> byte tokens.
/// </summary>
internal sealed class SpmEncoder : ITextEncoder
{
    private const char SpaceMarker = '\u2581';

    private static readonly IComparer<(float Score, int Left)> HighestScoreFirst =
        Comparer<(float Score, int Left)>.Create((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Left.CompareTo(b.Left));

    private readonly Vocabulary _vocabulary;
    private readonly bool _addSpacePrefix;
    private readonly int[] _byteTokens;

    public SpmEncoder(Vocabulary vocabulary, bool addSpacePrefix, int unknownId)
    {
        _vocabulary = vocabulary;
        _addSpacePrefix = addSpacePrefix;
        _byteTokens = new int[256];
        for (var b = 0; b < 256; b++)
        {
            var id = vocabulary.IdOf($"<0x{b:X2}>");
            if (id == Tokenizer.NoToken && b < 0x80)
                id = vocabulary.IdOf(((char)b).ToString());
            // llama.cpp aborts on a byte the vocabulary cannot spell; the unknown token is the gentler answer.
            _byteTokens[b] = id != Tokenizer.NoToken ? id : unknownId;
        }
    }

    public void Encode(ReadOnlySpan<char> text, bool followsSpecial, List<int> output)
    {
        var prefix = _addSpacePrefix && followsSpecial ? 1 : 0;
        var buffer = ArrayPool<char>.Shared.Rent(text.Length + prefix);
        try
        {
            var escaped = buffer.AsSpan(0, text.Length + prefix);
            if (prefix == 1)
                escaped[0] = SpaceMarker;
            text.Replace(escaped[prefix..], ' ', SpaceMarker);
            Merge(escaped, output);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private void Merge(ReadOnlySpan<char> text, List<int> output)
    {
        var symbols = new List<Symbol>(text.Length);
        for (var start = 0; start < text.Length;)
        {
            var length = char.IsHighSurrogate(text[start]) && start + 1 < text.Length && char.IsLowSurrogate(text[start + 1]) ? 2 : 1;
            symbols.Add(new Symbol(start, length, symbols.Count - 1, start + length < text.Length ? symbols.Count + 1 : -1));
            start += length;
        }

        var queue = new PriorityQueue<(int Left, int Right, int Length), (float Score, int Left)>(HighestScoreFirst);
        for (var i = 1; i < symbols.Count; i++)
            TryQueue(text, symbols, i - 1, i, queue);

        while (queue.TryDequeue(out var pair, out _))
        {
            var left = symbols[pair.Left];
            var right = symbols[pair.Right];
            // Skip entries made stale by an earlier merge on either side.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != pair.Length)
                continue;
            left.Length += right.Length;
            left.Next = right.Next;
            symbols[pair.Left] = left;
            symbols[pair.Right] = right with { Length = 0 };
            if (right.Next >= 0)
                symbols[right.Next] = symbols[right.Next] with { Prev = pair.Left };
            TryQueue(text, symbols, left.Prev, pair.Left, queue);
            TryQueue(text, symbols, pair.Left, left.Next, queue);
        }

        for (var i = 0; i >= 0 && symbols.Count > 0; i = symbols[i].Next)
            Emit(text.Slice(symbols[i].Start, symbols[i].Length), output);
    }

    private void TryQueue(ReadOnlySpan<char> text, List<Symbol> symbols, int left, int right,
        PriorityQueue<(int, int, int), (float, int)> queue)
    {
        if (left < 0 || right < 0)
            return;
        var length = symbols[left].Length + symbols[right].Length;
        if (_vocabulary.TryGetId(text.Slice(symbols[left].Start, length), out var id))
            queue.Enqueue((left, right, length), (_vocabulary.Scores[id], left));
    }

    private void Emit(ReadOnlySpan<char> piece, List<int> output)
    {
        if (_vocabulary.TryGetId(piece, out var id))
        {
            output.Add(id);
            return;
        }
        Span<byte> utf8 = stackalloc byte[4];
        var written = Encoding.UTF8.GetBytes(piece, utf8);
        foreach (var b in utf8[..written])
        {
            if (_byteTokens[b] != Tokenizer.NoToken)
                output.Add(_byteTokens[b]);
        }
    }

    private record struct Symbol(int Start, int Length, int Prev, int Next);
}
