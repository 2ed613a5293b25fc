using Strata.TestSupport;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>
/// Expected ids produced with llama.cpp's <c>llama-tokenize</c> (commit 34af94cd9ab2) and committed under Data/:
/// <c>{config}.{set}.out</c>, where the config is a shared vocabulary or <c>gpt-2-as-{pre}</c> (see
/// <see cref="VocabVariants"/>) and the set is <c>upstream</c> (llama.cpp's 46 standard cases), <c>edge</c>
/// (astral code points, <c>$</c>, digit grouping, whitespace kinds, marks, ...; add_special and parse_special off),
/// <c>unicode16</c> (characters llama.cpp's Unicode tables do not know yet; same flags) or
/// <c>special</c> (special-token texts, with the model's add_bos and parse_special on, as llama-tokenize defaults).
/// </summary>
public sealed class ReferenceVectorTests
{
    private static readonly string DataDir = Path.Combine(SharedData.RepoRoot, "tests", "Strata.Models.Tests", "Tokenizers", "Data");

    public static TheoryData<string, string, int, string> Cases()
    {
        var data = new TheoryData<string, string, int, string>();
        foreach (var path in Directory.EnumerateFiles(DataDir, "*.out").Order())
        {
            var (config, set) = ParseName(path);
            if (!File.Exists(SharedData.Model(config.StartsWith(VocabVariants.ConfigPrefix, StringComparison.Ordinal) ? "ggml-vocab-gpt-2.gguf" : $"ggml-vocab-{config}.gguf")))
                continue;
            var inputs = Inputs(set);
            for (var i = 0; i < inputs.Count; i++)
                data.Add(config, set, i, VocabTestVectors.Preview(inputs[i]));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_MatchesLlamaTokenize(string config, string set, int caseIndex, string preview)
    {
        var input = Inputs(set)[caseIndex];
        var expected = VocabTestVectors.ReadOutputs(Path.Combine(DataDir, $"{config}.{set}.out"))[caseIndex];
        var tokenizer = VocabVariants.ForConfig(config);

        var actual = set == "special"
            ? tokenizer.Encode(input, addSpecial: tokenizer.AddBos, parseSpecial: true)
            : tokenizer.Encode(input, addSpecial: false, parseSpecial: false);

        Assert.True(expected.SequenceEqual(actual), $"{config} {set} case {caseIndex} '{preview}': expected [{string.Join(' ', expected)}], got [{string.Join(' ', actual)}]");
    }

    [Fact]
    public void DataFiles_CoverLlama3AndQwen2()
    {
        Assert.True(File.Exists(Path.Combine(DataDir, "gpt-2-as-llama-bpe.upstream.out")));
        Assert.True(File.Exists(Path.Combine(DataDir, "gpt-2-as-qwen2.upstream.out")));
        Assert.True(File.Exists(Path.Combine(DataDir, "deepseek-llm.edge.out")));
    }

    private static (string Config, string Set) ParseName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var dot = name.LastIndexOf('.');
        return (name[..dot], name[(dot + 1)..]);
    }

    private static IReadOnlyList<string> Inputs(string set) => set switch
    {
        "upstream" => VocabTestVectors.ReadInputs(SharedData.Model("ggml-vocab-gpt-2.gguf.inp")),
        _ => VocabTestVectors.ReadInputs(Path.Combine(DataDir, $"{set}-cases.inp")),
    };
}
