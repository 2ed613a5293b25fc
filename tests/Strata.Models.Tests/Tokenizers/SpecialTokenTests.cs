using Strata.Models.Tokenizers;

namespace Strata.Models.Tests.Tokenizers;

public sealed class SpecialTokenTests
{
    [Theory]
    [InlineData("gpt-2", 50256, true)] // <|endoftext|>
    [InlineData("gpt-2", 15496, false)] // Hello
    [InlineData("llama-spm", 2, true)] // </s>
    [InlineData("llama-spm", 1, false)] // <s>
    [InlineData("phi-3", 32000, true)] // <|endoftext|>
    [InlineData("phi-3", 32007, true)] // <|end|>
    [InlineData("phi-3", 32001, false)] // <|assistant|>
    [InlineData("deepseek-llm", 100001, true)] // <｜end▁of▁sentence｜>
    [InlineData("gpt-2", -1, false)]
    [InlineData("gpt-2", 1_000_000, false)]
    public void IsEndOfGeneration_KnownTokens_FollowsLlamaCpp(string vocab, int id, bool expected)
    {
        Assert.Equal(expected, TestTokenizers.Vocab(vocab).IsEndOfGeneration(id));
    }

    [Fact]
    public void Encode_ControlTokenText_IsParsedOnlyWhenAsked()
    {
        var tokenizer = TestTokenizers.Vocab("gpt-2");

        Assert.Equal([50256, 15496], tokenizer.Encode("<|endoftext|>Hello", addSpecial: false, parseSpecial: true));
        Assert.Equal([27, 91, 437, 1659, 5239, 91, 29, 15496], tokenizer.Encode("<|endoftext|>Hello", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Encode_AddSpecialForBert_FramesWithClsAndSep()
    {
        var tokenizer = TestTokenizers.Vocab("bert-bge");

        Assert.Equal([101, 7592, 102], tokenizer.Encode("hello", addSpecial: true, parseSpecial: false));
    }

    [Fact]
    public void PieceBytes_ControlToken_RendersOnlyWhenAsked()
    {
        var tokenizer = TestTokenizers.Vocab("gpt-2");

        Assert.Equal(0, tokenizer.PieceBytes(50256).Length);
        Assert.Equal("<|endoftext|>"u8.ToArray(), tokenizer.PieceBytes(50256, renderSpecial: true).ToArray());
        Assert.Equal("Hello<|endoftext|>", tokenizer.Decode([15496, 50256], renderSpecial: true));
        Assert.Equal("Hello", tokenizer.Decode([15496, 50256]));
    }

    [Fact]
    public void Attributes_TokenTypes_ComeFromGguf()
    {
        var tokenizer = TestTokenizers.Vocab("llama-spm");

        Assert.Equal(TokenAttributes.Unknown, tokenizer.Attributes(0));
        Assert.True(tokenizer.Attributes(1).HasFlag(TokenAttributes.Control));
        Assert.Equal(TokenAttributes.Byte, tokenizer.Attributes(3));
        Assert.Equal("<0x00>", tokenizer.TokenText(3));
        Assert.Equal(TokenAttributes.Normal, tokenizer.Attributes(15043));
    }

    [Fact]
    public void TokenText_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestTokenizers.Vocab("gpt-2").TokenText(50257));
    }
}
