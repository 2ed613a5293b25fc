using System.Diagnostics;
using System.Text;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>Guards against quadratic encoding; the bounds are loose because the test machine is shared.</summary>
public sealed class PerformanceTests
{
    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    [InlineData("deepseek-llm")]
    [InlineData("bert-bge")]
    public void Encode_10KbPrompt_TakesMilliseconds(string vocab)
    {
        var tokenizer = TestTokenizers.Vocab(vocab);
        var prompt = TenKilobytes();
        tokenizer.Encode(prompt, addSpecial: true, parseSpecial: true);

        var clock = Stopwatch.StartNew();
        var ids = tokenizer.Encode(prompt, addSpecial: true, parseSpecial: true);

        Assert.NotEmpty(ids);
        Assert.True(clock.ElapsedMilliseconds < 500, $"{vocab}: {clock.ElapsedMilliseconds} ms for 10 KB");
    }

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("gpt-2")]
    public void Encode_64KbWithoutSpaces_IsNotQuadratic(string vocab)
    {
        var tokenizer = TestTokenizers.Vocab(vocab);
        var word = string.Concat(Enumerable.Repeat("abcdefghij", 6_500));

        var clock = Stopwatch.StartNew();
        tokenizer.Encode(word, addSpecial: false, parseSpecial: false);

        Assert.True(clock.ElapsedMilliseconds < 3_000, $"{vocab}: {clock.ElapsedMilliseconds} ms for one 64 KB word");
    }

    private static string TenKilobytes()
    {
        var text = new StringBuilder();
        var cases = VocabTestVectors.Shared("gpt-2").Select(c => c.Input).ToArray();
        for (var i = 0; text.Length < 10_000; i++)
            text.Append(cases[i % cases.Length]).Append(' ');
        return text.ToString();
    }
}
