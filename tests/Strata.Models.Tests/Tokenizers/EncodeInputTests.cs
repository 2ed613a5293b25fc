namespace Strata.Models.Tests.Tokenizers;

public sealed class EncodeInputTests
{
    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    [InlineData("deepseek-llm")]
    [InlineData("bert-bge")]
    public void Encode_UnpairedSurrogate_ReadsAsReplacementCharacter(string vocab)
    {
        var tokenizer = TestTokenizers.Vocab(vocab);

        Assert.Equal(tokenizer.Encode("a\uFFFDb\uFFFD", false, false), tokenizer.Encode("a\uD800b\uDC00", false, false));
        Assert.Equal(tokenizer.Encode("x🦙y", false, false), tokenizer.Encode("x\uD83E\uDD99y", false, false));
    }

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    [InlineData("bert-bge")]
    public void Encode_EmptyText_GivesOnlyTheSpecialFrame(string vocab)
    {
        var tokenizer = TestTokenizers.Vocab(vocab);

        Assert.Empty(tokenizer.Encode("", addSpecial: false, parseSpecial: true));
        Assert.Equal(tokenizer.AddBos || vocab == "bert-bge" ? 1 : 0, tokenizer.Encode("", addSpecial: true, parseSpecial: true).Count(id => id == tokenizer.BosId));
    }
}
