namespace Strata.Models.Tests.Tokenizers;

/// <summary>Every case of every llama.cpp test-vector pair in ../shared/models whose vocabulary is present.</summary>
public sealed class LlamaCppVectorTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var vocab in VocabTestVectors.SharedVocabs())
        {
            var cases = VocabTestVectors.Shared(vocab);
            for (var i = 0; i < cases.Count; i++)
                data.Add(vocab, i, VocabTestVectors.Preview(cases[i].Input));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_MatchesLlamaCpp(string vocab, int caseIndex, string preview)
    {
        var (input, expected) = VocabTestVectors.Shared(vocab)[caseIndex];

        var actual = TestTokenizers.Vocab(vocab).Encode(input, addSpecial: false, parseSpecial: false);

        Assert.True(expected.SequenceEqual(actual), $"{vocab} case {caseIndex} '{preview}': expected [{string.Join(' ', expected)}], got [{string.Join(' ', actual)}]");
    }

    [Fact]
    public void SharedVocabs_AllTenArePresent()
    {
        string[] expected = ["bert-bge", "deepseek-coder", "deepseek-llm", "falcon", "gpt-2", "llama-spm", "mpt", "phi-3", "refact", "starcoder"];

        Assert.Equal(expected, VocabTestVectors.SharedVocabs().Order());
    }
}
