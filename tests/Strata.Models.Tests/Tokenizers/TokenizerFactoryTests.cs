using Strata.Models.Gguf;
using Strata.Models.Tokenizers;

namespace Strata.Models.Tests.Tokenizers;

public sealed class TokenizerFactoryTests
{
    [Theory]
    [InlineData("t5")]
    [InlineData("rwkv")]
    [InlineData("no_vocab")]
    public void FromGguf_UnsupportedModel_ThrowsNamingIt(string model)
    {
        var ex = Assert.Throws<NotSupportedException>(() => Tokenizer.FromGguf(Metadata(model, tokens: ["a"])));

        Assert.Contains($"'{model}'", ex.Message);
        Assert.Contains("tokenizer.ggml.model", ex.Message);
    }

    [Fact]
    public void FromGguf_UnknownPreTokenizer_ThrowsNamingIt()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Tokenizer.FromGguf(Metadata("gpt2", pre: "my-new-model", tokens: ["a"])));

        Assert.Contains("'my-new-model'", ex.Message);
    }

    [Fact]
    public void FromGguf_NoTokenizerModel_ThrowsFormatError()
    {
        Assert.Throws<GgufFormatException>(() => Tokenizer.FromGguf(new GgufMetadata()));
    }

    [Fact]
    public void FromGguf_NoTokenList_ThrowsFormatError()
    {
        var ex = Assert.Throws<GgufFormatException>(() => Tokenizer.FromGguf(Metadata("llama", tokens: null)));

        Assert.Contains("tokenizer.ggml.tokens", ex.Message);
    }

    [Fact]
    public void FromGguf_MinimalSentencePieceVocabulary_Works()
    {
        var tokenizer = Tokenizer.FromGguf(Metadata("llama", tokens: ["<unk>", "<s>", "</s>", "▁a", "b"]));

        Assert.Equal([1, 3, 4], tokenizer.Encode("ab", addSpecial: true, parseSpecial: false));
        Assert.Equal("ab", tokenizer.Decode([3, 4]));
    }

    private static GgufMetadata Metadata(string model, string? pre = null, string[]? tokens = null)
    {
        var metadata = new GgufMetadata();
        metadata.Add("tokenizer.ggml.model", GgufValue.Of(model));
        if (pre is not null)
            metadata.Add("tokenizer.ggml.pre", GgufValue.Of(pre));
        if (tokens is not null)
            metadata.Add("tokenizer.ggml.tokens", GgufValue.Of(new GgufArray(GgufValueType.String, tokens)));
        return metadata;
    }
}
