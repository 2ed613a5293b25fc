using Strata.Models.Tokenizers.PreTokenization;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>
/// The places where .NET's regex engine and llama.cpp's (std::regex over code points) disagree unless translated:
/// astral code points, <c>$</c>, Unicode categories and <c>\s</c>.
/// </summary>
public sealed class PreTokenizerTests
{
    [Theory]
    [InlineData("[𐐀-𐑏]+", "a𐐀𐑏b", new[] { "a", "𐐀𐑏", "b" })]
    [InlineData("[𐐀-𐑏]+", "𐐐𐒰", new[] { "𐐐", "𐒰" })]
    [InlineData("[^𐐀-𐑏]+", "ab𐐀😀", new[] { "ab", "𐐀", "😀" })]
    [InlineData("\\s?[a-z𞤀-𞥃]+", "x 𞤀𞤁 y", new[] { "x", " 𞤀𞤁", " y" })]
    public void Regex_AstralClass_MatchesWholeCodePoints(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Split([new RegexSplitter(pattern)], text));
    }

    [Theory]
    [InlineData("a \n", new[] { "a", " \n" })]
    [InlineData("a \nb", new[] { "a \nb" })]
    [InlineData("a  ", new[] { "a", "  " })]
    public void Regex_Dollar_MatchesOnlyAtTheVeryEnd(string text, string[] expected)
    {
        Assert.Equal(expected, Split([new RegexSplitter(@"\s+$")], text));
    }

    [Theory]
    [InlineData("𐐀𐐨 x", new[] { "𐐀𐐨", " x" })]
    [InlineData("𝟏𝟐 𝐀", new[] { "𝟏𝟐", " 𝐀" })]
    [InlineData("a\u00A0b", new[] { "a", "\u00A0", "b" })]
    public void Gpt2_AstralLettersAndNumbers_UseTheirCategories(string text, string[] expected)
    {
        Assert.Equal(expected, Split([new Gpt2Splitter()], text));
    }

    [Theory]
    [InlineData(@"\p{L}+", "ab𐐀ü1", new[] { "ab𐐀ü", "1" })]
    [InlineData(@"\p{N}+", "x١٢𝟏y", new[] { "x", "١٢𝟏", "y" })]
    [InlineData(@"\s+", "a\u3000\u2028b", new[] { "a", "\u3000\u2028", "b" })]
    public void Regex_UnicodeCategories_MatchBeyondAscii(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Split([new RegexSplitter(pattern)], text));
    }

    [Theory]
    [InlineData("1234567", new[] { "123", "456", "7" })]
    [InlineData("x12345y", new[] { "x", "123", "45", "y" })]
    [InlineData("I'M here", new[] { "I", "'M", " here" })]
    [InlineData("a\r\n\r\n b", new[] { "a", "\r\n\r\n", " b" })]
    public void Llama3_Splits_LikeLlamaCpp(string text, string[] expected)
    {
        Assert.Equal(expected, Split([LlamaStyleSplitter.Llama3], text));
    }

    [Fact]
    public void Steps_RunInSequence_EachSplittingThePreviousPieces()
    {
        IPreTokenizerStep[] steps = [new RegexSplitter(@"\p{N}"), new Gpt2Splitter()];

        Assert.Equal(["abc", " ", "1", "2", " x"], Split(steps, "abc 12 x"));
    }

    [Theory]
    [InlineData(@"\w+")]
    [InlineData(@"\p{Han}+")]
    [InlineData(@"[\p{L}é]")]
    public void Translate_UnsupportedConstruct_Throws(string pattern)
    {
        Assert.Throws<NotSupportedException>(() => PatternTranslator.Translate(pattern));
    }

    private static string[] Split(IReadOnlyList<IPreTokenizerStep> steps, string text)
    {
        var codepoints = text.EnumerateRunes().Select(r => r.Value).ToArray();
        var lengths = new List<int>();
        new PreTokenizer(steps).Split(codepoints, lengths);
        var pieces = new List<string>();
        var start = 0;
        foreach (var length in lengths)
        {
            pieces.Add(string.Concat(codepoints.Skip(start).Take(length).Select(char.ConvertFromUtf32)));
            start += length;
        }
        return [.. pieces];
    }
}
