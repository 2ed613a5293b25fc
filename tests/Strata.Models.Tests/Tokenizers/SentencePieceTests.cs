using Strata.Models.Tokenizers;

namespace Strata.Models.Tests.Tokenizers;

public sealed class SentencePieceTests
{
    private static Tokenizer TinyStories => TestTokenizers.File("tinyllamas-stories-260k-f32.gguf");

    [Theory]
    [InlineData("Once upon a time", new[] { 1, 403, 407, 261, 378 })]
    [InlineData("Lily and Tom went to the park", new[] { 1, 317, 269, 274, 287, 263, 377, 267, 265, 282, 295, 433 })]
    [InlineData("The little dog was sad because", new[] { 1, 291, 376, 400, 428, 286, 296, 418, 329, 429, 412, 425, 372 })]
    public void Encode_TinyStoriesPrompt_MatchesLlamaCppWithBos(string prompt, int[] expected)
    {
        Assert.Equal(expected, TinyStories.Encode(prompt, addSpecial: true, parseSpecial: true));
    }

    [Fact]
    public void FromGguf_NoAddBosKey_DefaultsToAddingBos()
    {
        var tokenizer = TinyStories;

        Assert.True(tokenizer.AddBos);
        Assert.False(tokenizer.AddEos);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.Equal(512, tokenizer.VocabSize);
    }

    [Fact]
    public void Encode_WithoutSpecial_OmitsBos()
    {
        Assert.Equal([403, 407, 261, 378], TinyStories.Encode("Once upon a time", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_CharacterOutsideVocabulary_FallsBackToByteTokens()
    {
        var ids = TinyStories.Encode("日", addSpecial: true, parseSpecial: false);

        Assert.Equal([1, 410, 233, 154, 168], ids); // llama-tokenize: <s>, ▁, then the UTF-8 bytes E6 97 A5
        Assert.Equal(["<0xE6>", "<0x97>", "<0xA5>"], ids[2..].Select(TinyStories.TokenText));
        Assert.Equal(" 日", TinyStories.Decode(ids));
    }

    [Fact]
    public void Encode_BosTextWithParseSpecial_BecomesBosAndRestartsSpacePrefix()
    {
        var tokenizer = TestTokenizers.Vocab("llama-spm");

        var parsed = tokenizer.Encode("<s>Hello", addSpecial: false, parseSpecial: true);
        var literal = tokenizer.Encode("<s>Hello", addSpecial: false, parseSpecial: false);

        Assert.Equal([1, .. tokenizer.Encode("Hello", addSpecial: false, parseSpecial: false)], parsed);
        Assert.DoesNotContain(1, literal);
    }

    [Fact]
    public void Decode_LeadingBos_KeepsSpaceOfFirstWordAsLlamaCppDoes()
    {
        // The space prefix is removed from the first token only, and BOS is that first token.
        var tokenizer = TinyStories;

        Assert.Equal(" Once upon a time", tokenizer.Decode([1, 403, 407, 261, 378]));
        Assert.Equal("Once upon a time", tokenizer.Decode([403, 407, 261, 378]));
        Assert.Equal("<s> Once", tokenizer.Decode([1, 403], renderSpecial: true));
    }

    [Fact]
    public void PieceBytes_Tokens_RenderAsLlamaCpp()
    {
        var tokenizer = TinyStories;

        Assert.Equal(" Once"u8.ToArray(), tokenizer.PieceBytes(403).ToArray());
        Assert.Empty(tokenizer.PieceBytes(1).ToArray());
        Assert.Equal("<s>"u8.ToArray(), tokenizer.PieceBytes(1, renderSpecial: true).ToArray());
        Assert.Equal(new byte[] { 0x0A }, tokenizer.PieceBytes(tokenizer.Encode("\n", false, false)[^1]).ToArray());
    }
}
