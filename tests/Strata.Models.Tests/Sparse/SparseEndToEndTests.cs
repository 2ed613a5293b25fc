using Strata.Kernels.Experts;
using Strata.Kernels.Quant;
using Strata.Models.Synth;
using Strata.Models.Tests.Llama;
using Strata.TestSupport;

namespace Strata.Models.Tests.Sparse;

/// <summary>
/// Synthetic sparse models of each architecture against llama.cpp's runs of the same files (see Data/README.md):
/// logits after each of three prompts (Q8_0 and Q4_0 bit for bit, F32 within 1e-3), and greedy continuations
/// equal token for token up to the first step where llama.cpp's top two logits are nearly tied.
/// </summary>
public sealed class SparseEndToEndTests
{
    /// <summary>Below this margin between llama.cpp's top two logits, float noise may pick either.</summary>
    private const float NearTie = 2e-3f;

    [Theory]
    [InlineData("mixtral", "f32", 1e-3)]
    [InlineData("mixtral", "q8_0", 0.0)]
    [InlineData("mixtral", "q4_0", 0.0)]
    [InlineData("qwen2moe", "f32", 1e-3)]
    [InlineData("qwen2moe", "q8_0", 0.0)]
    [InlineData("qwen3moe", "f32", 1e-3)]
    [InlineData("qwen3moe", "q8_0", 0.0)]
    [InlineData("qwen3moe-wide", "q8_0", 0.0)]
    [InlineData("deepseek2", "f32", 1e-3)]
    [InlineData("deepseek2", "q8_0", 0.0)]
    [InlineData("deepseek2", "q4_0", 0.0)]
    [InlineData("deepseek2-wide", "q4_0", 0.0)]
    [InlineData("deepseek2-sigmoid", "q8_0", 0.0)]
    public void Greedy_SynthModel_EqualsLlamaCppUpToNearTies(string variant, string type, double tolerance)
    {
        var name = $"{variant}-{type}";
        var path = Path.Combine(Path.GetTempPath(), $"strata-{name}-{Guid.NewGuid():N}.gguf");
        try
        {
            Writer(variant, Enum.Parse<TensorType>(type, ignoreCase: true)).Write(path);
            using var harness = new ModelHarness(path, threads: 2);
            var references = SparseReference.Read(name);
            Assert.Equal(3, references.Count);
            foreach (var reference in references)
                Compare(harness, reference, tolerance, name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The models of Data/README.md: 256 wide, 3 layers, experts of 128, the TinyStories vocabulary.</summary>
    internal static SyntheticModelWriter Writer(string variant, TensorType type) => new()
    {
        Architecture = variant.Split('-')[0],
        Shape = SyntheticShape.Parse(variant switch
            {
                "deepseek2" or "deepseek2-sigmoid" => "256,3,4,4,128",
                "deepseek2-wide" => "512,2,4,4,128",
                _ => "256,3,4,2,128",
            }, 512) is var shape && variant.StartsWith("qwen3moe", StringComparison.Ordinal) ? shape with { HeadDim = 128 } : shape,
        WeightType = type,
        VocabularyFile = SharedData.Model("tinyllamas-stories-260k-f32.gguf"),
        Seed = 7,
        Experts = variant switch
        {
            "deepseek2-sigmoid" => new SyntheticExperts(16, 4, 1, 1, ExpertGating.Sigmoid),
            "qwen3moe-wide" => new SyntheticExperts(40, 6, 0, 0),
            _ => null,
        },
        QueryRank = variant == "deepseek2-sigmoid" ? 64 : null,
    };

    private static void Compare(ModelHarness harness, SparseReference reference, double tolerance, string name)
    {
        var table = harness.NewSequence(reference.Prompt.Length + reference.Generated.Length);
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence(table);
        for (var i = 0; i < reference.Prompt.Length; i++)
            batch.AddToken(sequence, reference.Prompt[i], i, wantLogits: i == reference.Prompt.Length - 1);
        var logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
        var maxError = logits.Zip(reference.StepZeroLogits, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxError <= tolerance, $"{name}: max abs logit error after the prompt {maxError}");

        for (var step = 0; step < reference.Generated.Length; step++)
        {
            var token = ArgMax(logits);
            if (token != reference.Generated[step])
            {
                Assert.True(reference.Margins[step] < NearTie,
                    $"{name}: token {step} is {token}, llama.cpp's {reference.Generated[step]} with a margin of {reference.Margins[step]}");
                return;
            }
            batch.Clear();
            batch.AddToken(batch.AddSequence(table), token, reference.Prompt.Length + step, wantLogits: true);
            logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
        }
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }
}
