using System.Text;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>Long inputs encode completely and losslessly (their speed is measured in bench/, TokenizerBenchmarks).</summary>
public sealed class LongInputTests
{
    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    [InlineData("deepseek-llm")]
    public void Encode_10KbPrompt_DecodesBackToTheText(string vocab)
    {
        var tokenizer = TestTokenizers.Vocab(vocab);
        var prompt = TenKilobytes();

        var ids = tokenizer.Encode(prompt, addSpecial: false, parseSpecial: false);

        Assert.InRange(ids.Length, prompt.Length / 10, prompt.Length);
        Assert.Equal(prompt, tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_10KbPromptWordPiece_CoversEveryWord()
    {
        var tokenizer = TestTokenizers.Vocab("bert-bge");
        var prompt = TenKilobytes();

        var ids = tokenizer.Encode(prompt, addSpecial: true, parseSpecial: false);

        Assert.True(ids.Length > prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    public void Encode_64KbWithoutSpaces_DecodesBackToTheWord(string vocab)
    {
        var tokenizer = TestTokenizers.Vocab(vocab);
        var word = string.Concat(Enumerable.Repeat("abcdefghij", 6_500));

        var ids = tokenizer.Encode(word, addSpecial: false, parseSpecial: false);

        Assert.Equal(word, tokenizer.Decode(ids).TrimStart());
    }

    private static string TenKilobytes()
    {
        var text = new StringBuilder();
        var sentences = new[] { "Once upon a time, there was a little girl named Lily.", "She loved to play outside in the park!", "Numbers like 1234567 and 3.14159 appear too." };
        for (var i = 0; text.Length < 10_000; i++)
            text.Append(sentences[i % sentences.Length]).Append(' ');
        return text.ToString();
    }
}
