using Strata.Kernels.Quant;
using Strata.Models.Gguf;
using Strata.Models.Synth;
using Strata.TestSupport;

namespace Strata.Models.Tests.Synth;

/// <summary>The K-quant mixes against files llama-quantize wrote: the same type for every matrix.</summary>
public sealed class QuantizationMixTests
{
    public static TheoryData<string, string> Mixes => new()
    {
        { "q4_k_m", "q4_k_m" },
        { "q5_k_m", "q5_k_m" },
        { "q3_k_m", "q3_k_m" },
        { "q2_k_mix", "q2_k" },
    };

    [Theory]
    [MemberData(nameof(Mixes))]
    public void TypeFor_EveryMatrix_IsWhatLlamaQuantizeChose(string mixName, string fileVariant)
    {
        var mix = QuantizationMix.Named(mixName)!;
        using var file = GgufFile.Open(Path.Combine(SharedData.ModelsDir, "quant-reference", $"synth-tiny-{fileVariant}.gguf"));
        Assert.Equal(mix.FileType, file.Metadata.GetInt32("general.file_type"));
        foreach (var (name, type, cols) in Matrices(file))
        {
            var (role, layer) = Role(name);
            Assert.True(mix.TypeFor(role, layer, layers: 2, groupSize: 2, cols) == type, $"{mixName} {name}: {mix.TypeFor(role, layer, 2, 2, cols)}, llama-quantize wrote {type}");
        }
    }

    [Fact]
    public void Write_Q4_K_M_WritesTheMixesTypes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-mix-{Guid.NewGuid():N}.gguf");
        try
        {
            new SyntheticModelWriter
            {
                Architecture = "llama",
                Shape = SyntheticShape.Parse("256,2,4,2,512", 256),
                WeightType = TensorType.Q4_K,
                Mix = QuantizationMix.Q4_K_M,
                VocabularyFile = SharedData.Model("ggml-vocab-llama-spm.gguf"),
            }.Write(path);
            using var written = GgufFile.Open(path);
            using var reference = GgufFile.Open(Path.Combine(SharedData.ModelsDir, "quant-reference", "synth-tiny-q4_k_m.gguf"));
            Assert.Equal(Matrices(reference).Select(m => (m.Name, m.Type)).Order(), Matrices(written).Select(m => (m.Name, m.Type)).Order());
            Assert.Equal(15, written.Metadata.GetInt32("general.file_type"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TypeFor_OneBShape_GivesSixBitsToEightOfSixteenLayers()
    {
        var mix = QuantizationMix.Q4_K_M;
        var sixBit = Enumerable.Range(0, 16).Where(l => mix.TypeFor(MatrixRole.Down, l, 16, 4, 5632) == TensorType.Q6_K);
        Assert.Equal([0, 1, 4, 7, 10, 13, 14, 15], sixBit);
        Assert.Equal(TensorType.Q4_K, mix.TypeFor(MatrixRole.Query, 4, 16, 4, 2048));
        Assert.Equal(TensorType.Q6_K, mix.TypeFor(MatrixRole.Output, 0, 16, 4, 2048));
        Assert.Equal(TensorType.Q5_0, mix.TypeFor(MatrixRole.Gate, 3, 16, 4, 96)); // rows not whole super-blocks
    }

    private static IEnumerable<(string Name, TensorType Type, int Cols)> Matrices(GgufFile file) =>
        file.Tensors.Where(t => t.Dimensions.Count == 2).Select(t => (t.Name, t.Type, (int)t.Dimensions[0]));

    private static (MatrixRole Role, int Layer) Role(string name)
    {
        if (name == "token_embd.weight")
            return (MatrixRole.TokenEmbedding, 0);
        if (name == "output.weight")
            return (MatrixRole.Output, 0);
        var parts = name.Split('.');
        var role = parts[2] switch
        {
            "attn_q" => MatrixRole.Query,
            "attn_k" => MatrixRole.Key,
            "attn_v" => MatrixRole.Value,
            "attn_output" => MatrixRole.AttentionOutput,
            "ffn_gate" => MatrixRole.Gate,
            "ffn_up" => MatrixRole.Up,
            "ffn_down" => MatrixRole.Down,
            _ => throw new ArgumentException(name),
        };
        return (role, int.Parse(parts[1]));
    }
}
