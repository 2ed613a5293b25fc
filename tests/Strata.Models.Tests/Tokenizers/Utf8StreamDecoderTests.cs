using System.Text;
using Strata.Models.Tokenizers;

namespace Strata.Models.Tests.Tokenizers;

public sealed class Utf8StreamDecoderTests
{
    [Theory]
    [InlineData("héllo wörld")]
    [InlineData("日本語のテキスト")]
    [InlineData("🦙 llamas 😶‍🌫️ and 𐐀")]
    public void Push_EverySplitOfTheBytes_NeverEmitsHalfACharacter(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var decoder = new Utf8StreamDecoder();
            var first = decoder.Push(bytes.AsSpan(0, split));
            var second = decoder.Push(bytes.AsSpan(split));

            Assert.Equal(text, first + second + decoder.Flush());
            Assert.True(first.Length == 0 || !char.IsHighSurrogate(first[^1]));
            Assert.True(text.StartsWith(first, StringComparison.Ordinal), $"split at {split} emitted '{first}'");
        }
    }

    [Fact]
    public void Push_OneByteAtATime_HoldsBackIncompleteSequences()
    {
        var decoder = new Utf8StreamDecoder();
        var emoji = "🦙"u8.ToArray();

        Assert.Equal("", decoder.Push(emoji.AsSpan(0, 1)));
        Assert.Equal("", decoder.Push(emoji.AsSpan(1, 1)));
        Assert.Equal("", decoder.Push(emoji.AsSpan(2, 1)));
        Assert.Equal("🦙", decoder.Push(emoji.AsSpan(3, 1)));
    }

    [Fact]
    public void Push_SequenceThatCanNeverComplete_BecomesReplacementAtOnce()
    {
        var decoder = new Utf8StreamDecoder();

        Assert.Equal("", decoder.Push([0xE2, 0x82]));
        Assert.Equal("\uFFFDA", decoder.Push("A"u8));
        Assert.Equal("\uFFFD", decoder.Push([0xFF]));
    }

    [Fact]
    public void Flush_IncompleteTail_BecomesReplacementAndResets()
    {
        var decoder = new Utf8StreamDecoder();
        decoder.Push([0xF0, 0x9F]);

        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("ok", decoder.Push("ok"u8));
    }

    [Fact]
    public void Reset_DropsHeldBackBytes()
    {
        var decoder = new Utf8StreamDecoder();
        decoder.Push([0xC3]);
        decoder.Reset();

        Assert.Equal("a", decoder.Push("a"u8));
        Assert.Equal("", decoder.Flush());
    }
}
