using System.Text;
using Strata.Models.Tokenizers;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>
/// decode(encode(x)) == x wherever llama.cpp's detokenizer gives x back: always for SentencePiece and byte-level BPE,
/// except that vocabularies with clean_up_tokenization_spaces also drop spaces before punctuation. WordPiece
/// lowercases and drops whitespace, so it is not round-trippable and not listed.
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var vocab in VocabTestVectors.SharedVocabs().Where(v => v != "bert-bge"))
        {
            var cases = VocabTestVectors.Shared(vocab);
            for (var i = 0; i < cases.Count; i++)
                data.Add(vocab, i, VocabTestVectors.Preview(cases[i].Input));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_EncodedText_GivesTextBack(string vocab, int caseIndex, string preview)
    {
        var input = VocabTestVectors.Shared(vocab)[caseIndex].Input;
        var tokenizer = TestTokenizers.Vocab(vocab);

        var decoded = tokenizer.Decode(tokenizer.Encode(input, addSpecial: false, parseSpecial: false));

        Assert.True(ExpectedDecoding(vocab, input) == decoded, $"{vocab} case {caseIndex} '{preview}' decoded to '{decoded}'");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Utf8StreamDecoder_StreamedPieces_EqualDecode(string vocab, int caseIndex, string preview)
    {
        var input = VocabTestVectors.Shared(vocab)[caseIndex].Input;
        var tokenizer = TestTokenizers.Vocab(vocab);
        var ids = tokenizer.Encode(input, addSpecial: false, parseSpecial: false);

        var stream = new Utf8StreamDecoder();
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            var chunk = stream.Push(tokenizer.PieceBytes(id));
            Assert.False(chunk.Length > 0 && char.IsHighSurrogate(chunk[^1]), $"{preview}: half a surrogate pair emitted");
            text.Append(chunk);
        }
        text.Append(stream.Flush());

        // Streaming has neither the first-token space removal nor the space clean-up of Decode.
        var pieces = Encoding.UTF8.GetString(ids.SelectMany(id => tokenizer.PieceBytes(id).ToArray()).ToArray());
        Assert.Equal(pieces, text.ToString());
    }

    [Theory]
    [InlineData("Hello , world .", "Hello, world.")]
    [InlineData("Why ? Yes !", "Why? Yes!")]
    [InlineData("it ' s", "it's")]
    [InlineData("he 's and I 'm", "he's and I'm")]
    [InlineData("we 're and they 've", "we're and they've")]
    [InlineData("don 't I 'll he 'd", "don 't I 'll he 'd")]
    [InlineData(" .", ".")]
    [InlineData("", "")]
    public void Decode_CleanSpacesVocabulary_RemovesSpacesLikeLlamaCpp(string text, string expected)
    {
        var tokenizer = TestTokenizers.Vocab("gpt-2");

        Assert.Equal(expected, tokenizer.Decode(tokenizer.Encode(text, addSpecial: false, parseSpecial: false)));
    }

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    [InlineData("deepseek-llm")]
    [InlineData("deepseek-coder")]
    public void Decode_SingleCodePoints_GiveThemBack(string vocab)
    {
        // Like llama.cpp's test-tokenizer-1: every code point (sampled here) survives encode and decode alone,
        // except ▁, which SentencePiece reads as a space. (Falcon would fail too, in llama.cpp as well: its
        // vocabulary lacks some control bytes, which are then dropped.)
        var tokenizer = TestTokenizers.Vocab(vocab);
        for (var cp = 1; cp <= 0x10FFFF; cp += cp < 0x3000 ? 1 : 61)
        {
            if (cp is >= 0xD800 and <= 0xDFFF or 0x2581)
                continue;
            var text = char.ConvertFromUtf32(cp);

            var decoded = tokenizer.Decode(tokenizer.Encode(text, addSpecial: false, parseSpecial: false));

            Assert.True(text == decoded, $"U+{cp:X4} decoded to {string.Join(' ', decoded.Select(c => $"U+{(int)c:X4}"))}");
        }
    }

    private static string ExpectedDecoding(string vocab, string input)
    {
        if (vocab is "llama-spm" or "phi-3" or "deepseek-coder" or "deepseek-llm")
            return input;
        var bytes = Encoding.UTF8.GetBytes(input);
        return Encoding.UTF8.GetString(bytes, 0, SpaceCleanup.Apply(bytes));
    }
}
