using Strata.Models.Gguf;
using Strata.Models.Tokenizers.Bpe;

namespace Strata.Models.Synth;

/// <summary>
/// A vocabulary of our own for synthetic models, so that <c>strata synth</c> needs no vocabulary file: a SentencePiece
/// vocabulary of <see cref="SentencePieceSize"/> tokens (TinyLlama's count, so the 1B shape keeps its 852M
/// parameters) or a byte-level BPE one of <see cref="BytePairSize"/> (GPT-2's). Both have byte fallback and pieces
/// built from letters (every letter, "▁" or "Ġ" before a letter, letter pairs, triples …), each piece one merge of
/// an earlier piece and one character, so any text tokenizes and common words take a few tokens.
/// </summary>
public static class SyntheticVocabulary
{
    public const int SentencePieceSize = 32000;
    public const int BytePairSize = 50257;

    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Singles = Lower + Upper + "0123456789.,!?'\"-:;()";

    /// <summary>The <c>tokenizer.*</c> metadata of a SentencePiece ("llama") vocabulary: unk, bos, eos, 256 bytes, pieces.</summary>
    public static IReadOnlyList<(string Key, GgufValue Value)> SentencePiece()
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(6);
        }
        foreach (var piece in Pieces("\u2581", includeSingles: true).Take(SentencePieceSize - tokens.Count))
        {
            tokens.Add(piece);
            types.Add(1);
        }
        // SentencePiece merges the pair whose result scores highest: shorter, earlier pieces are the more likely.
        var scores = tokens.Select((_, id) => types[id] == 1 ? -(float)id : 0f).ToArray();
        return
        [
            ("tokenizer.ggml.model", GgufValue.Of("llama")),
            ("tokenizer.ggml.tokens", Strings(tokens)),
            ("tokenizer.ggml.scores", GgufValue.Of(new GgufArray(GgufValueType.Float32, scores))),
            ("tokenizer.ggml.token_type", GgufValue.Of(new GgufArray(GgufValueType.Int32, types.ToArray()))),
            ("tokenizer.ggml.unknown_token_id", GgufValue.Of(0u)),
            ("tokenizer.ggml.bos_token_id", GgufValue.Of(1u)),
            ("tokenizer.ggml.eos_token_id", GgufValue.Of(2u)),
        ];
    }

    /// <summary>The <c>tokenizer.*</c> metadata of a byte-level BPE ("gpt2") vocabulary: 256 bytes, merged pieces, one end token.</summary>
    public static IReadOnlyList<(string Key, GgufValue Value)> BytePair()
    {
        var tokens = Enumerable.Range(0, 256).Select(b => ByteLevel.ToChar((byte)b).ToString()).ToList();
        var merges = new List<string>();
        foreach (var piece in Pieces(ByteLevel.ToChar((byte)' ').ToString(), includeSingles: false).Take(BytePairSize - 1 - tokens.Count))
        {
            tokens.Add(piece);
            merges.Add($"{piece[..^1]} {piece[^1]}");
        }
        var end = tokens.Count;
        tokens.Add("<|endoftext|>");
        var types = tokens.Select((_, id) => id == end ? 3 : 1).ToArray();
        return
        [
            ("tokenizer.ggml.model", GgufValue.Of("gpt2")),
            ("tokenizer.ggml.tokens", Strings(tokens)),
            ("tokenizer.ggml.token_type", GgufValue.Of(new GgufArray(GgufValueType.Int32, types))),
            ("tokenizer.ggml.merges", Strings(merges)),
            ("tokenizer.ggml.bos_token_id", GgufValue.Of((uint)end)),
            ("tokenizer.ggml.eos_token_id", GgufValue.Of((uint)end)),
        ];
    }

    /// <summary>Pieces in order of length; each one's prefix without its last character comes earlier.</summary>
    private static IEnumerable<string> Pieces(string space, bool includeSingles)
    {
        if (includeSingles)
        {
            yield return space;
            foreach (var c in Singles)
                yield return c.ToString();
        }
        foreach (var c in Lower + Upper)
            yield return space + c;
        IEnumerable<string> words = Lower.Select(c => c.ToString()).Concat(Upper.Select(c => c.ToString()));
        while (true)
        {
            words = words.SelectMany(word => Lower.Select(c => word + c)).ToList();
            foreach (var word in words)
                yield return word;
            foreach (var word in words)
                yield return space + word;
        }
    }

    private static GgufValue Strings(List<string> items) => GgufValue.Of(new GgufArray(GgufValueType.String, items.ToArray()));
}
