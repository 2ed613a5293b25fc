using Strata.Kernels.Quant;
using Strata.Models.Gguf;
using Strata.Models.Synth;
using Strata.Models.Tokenizers;

namespace Strata.Models.Tests.Synth;

/// <summary>The built-in vocabularies synth writes when it is given no vocabulary file.</summary>
public sealed class SyntheticVocabularyTests
{
    private const string Sentence = "Once upon a time, there was a little girl named Lily.";
    private const string Text = Sentence + " Ünïcödé 日本語 🙂 tabs\tand\nnewlines 42!";

    [Theory]
    [InlineData("llama", SyntheticVocabulary.SentencePieceSize)]
    [InlineData("qwen2", SyntheticVocabulary.BytePairSize)]
    public void Write_WithoutVocabularyFile_TokenizesAnyTextAndRoundTrips(string architecture, int vocabSize)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-vocab-{architecture}-{Guid.NewGuid():N}.gguf");
        try
        {
            new SyntheticModelWriter
            {
                Architecture = architecture,
                Shape = SyntheticShape.Parse("32,1,2,1,32", 64),
                WeightType = TensorType.F32,
            }.Write(path);
            using var file = GgufFile.Open(path);
            var tokenizer = Tokenizer.FromGguf(file.Metadata);

            var tokens = tokenizer.Encode(Text, addSpecial: false, parseSpecial: false);

            Assert.Equal(vocabSize, tokenizer.VocabSize);
            Assert.Equal(Text, tokenizer.Decode(tokens));
            // Words become pieces of up to three letters (and a space), not single bytes.
            var words = tokenizer.Encode(Sentence, addSpecial: false, parseSpecial: false);
            Assert.True(words.Length <= Sentence.Length / 2, $"{words.Length} tokens for {Sentence.Length} characters");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SentencePiece_EveryPieceAfterTheBytes_ExtendsAnEarlierPieceByOneCharacter()
    {
        var tokens = (string[])SyntheticVocabulary.SentencePiece().Single(e => e.Key == "tokenizer.ggml.tokens").Value.AsArray("tokens").Items;
        var seen = new HashSet<string>();
        foreach (var token in tokens.Skip(3 + 256))
        {
            Assert.True(token.Length == 1 || seen.Contains(token[..^1]), token);
            Assert.True(seen.Add(token), $"duplicate {token}");
        }
    }
}
