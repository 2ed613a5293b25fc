using System.Runtime.InteropServices;
using System.Text;
using Strata.Models.Tokenizers.PreTokenization;
using Strata.Models.Tokenizers.Unicode;

namespace Strata.Models.Tokenizers.Bpe;

/// <summary>
/// Byte-level BPE (<c>tokenizer.ggml.model = gpt2</c>): pre-tokenize into words, then within each word merge the
/// adjacent pair of lowest rank until no ranked pair is left, using a priority queue over a linked list of symbols
/// (so a word of n bytes costs O(n log n), not O(n²)).
/// </summary>
internal sealed class BpeEncoder(Vocabulary vocabulary, BpeMergeTable merges, PreTokenizer preTokenizer, bool ignoreMerges) : ITextEncoder
{
    private readonly Vocabulary _vocabulary = vocabulary;
    private readonly BpeMergeTable _merges = merges;
    private readonly bool _ignoreMerges = ignoreMerges;
    private readonly int[] _asciiTokens = BuildAsciiTokens(vocabulary);

    public void Encode(ReadOnlySpan<char> text, bool followsSpecial, List<int> output)
    {
        var codepoints = new List<int>(text.Length);
        Codepoints.Decode(text, codepoints);
        var words = new List<int>();
        preTokenizer.Split(CollectionsMarshal.AsSpan(codepoints), words);

        var session = new Session(this, output);
        var start = 0;
        foreach (var length in words)
        {
            session.EncodeWord(CollectionsMarshal.AsSpan(codepoints).Slice(start, length));
            start += length;
        }
    }

    /// <summary>Single-character ASCII token ids; llama.cpp's fallback for a symbol that is not a token.</summary>
    private static int[] BuildAsciiTokens(Vocabulary vocabulary)
    {
        var tokens = new int[128];
        for (var c = 0; c < tokens.Length; c++)
            tokens[c] = vocabulary.IdOf(((char)c).ToString());
        return tokens;
    }

    /// <summary>Scratch state for one <see cref="Encode"/> call, reused across its words.</summary>
    private sealed class Session(BpeEncoder encoder, List<int> output)
    {
        private readonly PriorityQueue<Pair, long> _queue = new();
        private byte[] _bytes = [];
        private char[] _chars = [];
        private Symbol[] _symbols = [];

        public void EncodeWord(ReadOnlySpan<int> word)
        {
            var byteCount = Utf8Length(word);
            if (byteCount == 0)
                return;
            Grow(byteCount);
            var bytes = _bytes.AsSpan(0, byteCount);
            WriteUtf8(word, bytes);

            if (encoder._ignoreMerges && TryWholeWord(bytes, out var id))
            {
                output.Add(id);
                return;
            }

            var symbols = _symbols.AsSpan(0, byteCount);
            for (var i = 0; i < bytes.Length; i++)
                symbols[i] = new Symbol(encoder._merges.ByteSymbol(bytes[i]), i, 1, i - 1, i + 1 < bytes.Length ? i + 1 : -1);

            _queue.Clear();
            for (var i = 1; i < symbols.Length; i++)
                TryQueue(symbols, i - 1, i);

            while (_queue.TryDequeue(out var pair, out _))
            {
                ref var left = ref symbols[pair.Left];
                ref var right = ref symbols[pair.Right];
                // Stale entries (either side already merged into something else) are skipped, not removed.
                if (left.Length == 0 || right.Length == 0 || left.Id != pair.LeftId || right.Id != pair.RightId)
                    continue;
                left.Id = pair.Merged;
                left.Length += right.Length;
                right.Length = 0;
                left.Next = right.Next;
                if (right.Next >= 0)
                    symbols[right.Next].Prev = pair.Left;
                TryQueue(symbols, left.Prev, pair.Left);
                TryQueue(symbols, pair.Left, left.Next);
            }

            for (var i = 0; i >= 0; i = symbols[i].Next)
                Emit(symbols[i], bytes);
        }

        private void TryQueue(Span<Symbol> symbols, int left, int right)
        {
            if (left < 0 || right < 0)
                return;
            if (encoder._merges.TryGetMerge(symbols[left].Id, symbols[right].Id, out var merge))
                _queue.Enqueue(new Pair(left, right, symbols[left].Id, symbols[right].Id, merge.Symbol), ((long)merge.Rank << 32) | (uint)left);
        }

        private void Emit(Symbol symbol, ReadOnlySpan<byte> bytes)
        {
            var token = encoder._merges.TokenOf(symbol.Id);
            if (token != Tokenizer.NoToken)
            {
                output.Add(token);
                return;
            }
            // llama.cpp looks up each byte of the symbol's byte-level text as a one-byte token; only printable ASCII
            // stands for itself in that text, so only those bytes can match.
            foreach (var b in bytes.Slice(symbol.Start, symbol.Length))
            {
                if (ByteLevel.ToChar(b) < 0x80 && encoder._asciiTokens[b] != Tokenizer.NoToken)
                    output.Add(encoder._asciiTokens[b]);
            }
        }

        private bool TryWholeWord(ReadOnlySpan<byte> bytes, out int id)
        {
            var chars = _chars.AsSpan(0, bytes.Length);
            for (var i = 0; i < bytes.Length; i++)
                chars[i] = ByteLevel.ToChar(bytes[i]);
            return encoder._vocabulary.TryGetId(chars, out id);
        }

        private void Grow(int byteCount)
        {
            if (_bytes.Length >= byteCount)
                return;
            var size = Math.Max(byteCount, 2 * _bytes.Length);
            _bytes = new byte[size];
            _chars = new char[size];
            _symbols = new Symbol[size];
        }

        private static int Utf8Length(ReadOnlySpan<int> codepoints)
        {
            var length = 0;
            foreach (var cp in codepoints)
                length += new Rune(cp).Utf8SequenceLength;
            return length;
        }

        private static void WriteUtf8(ReadOnlySpan<int> codepoints, Span<byte> destination)
        {
            foreach (var cp in codepoints)
                destination = destination[new Rune(cp).EncodeToUtf8(destination)..];
        }
    }

    private record struct Symbol(int Id, int Start, int Length, int Prev, int Next);

    private readonly record struct Pair(int Left, int Right, int LeftId, int RightId, int Merged);
}
