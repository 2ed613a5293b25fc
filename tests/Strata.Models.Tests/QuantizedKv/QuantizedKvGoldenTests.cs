using System.Globalization;
using Strata.Kernels.Quant;
using Strata.KvCache;
using Strata.Models.Llama;
using Strata.Models.Synth;
using Strata.Models.Tests.Llama;
using Strata.TestSupport;
using Xunit.Abstractions;

namespace Strata.Models.Tests.QuantizedKv;

/// <summary>
/// Quantized KV caches against llama.cpp with the same cache types (<c>-ctk/-ctv q8_0|q4_0</c>, flash attention, its
/// Hadamard rotation of queries, keys and values): step-0 logits, and greedy tokens equal up to the first near-tie of
/// the top two logits. Two models: the quant-reference tiny model (heads of 64) and a synthetic Q4_K_M model with
/// heads of 128 (keys rotated in chunks of 128, values of 64).
/// </summary>
public sealed class QuantizedKvGoldenTests(ITestOutputHelper output, QuantizedKvGoldenTests.SyntheticModel synthetic)
    : IClassFixture<QuantizedKvGoldenTests.SyntheticModel>
{
    private const double NearTie = 1e-2;

    public static TheoryData<string, KvDataType, string> Cases => new()
    {
        { "tiny", KvDataType.Q8_0, "tiny-q8_0-kvq8_0" },
        { "tiny", KvDataType.Q4_0, "tiny-q8_0-kvq4_0" },
        { "hd128", KvDataType.Q8_0, "hd128-q4_k_m-kvq8_0" },
        { "hd128", KvDataType.Q4_0, "hd128-q4_k_m-kvq4_0" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_QuantizedCache_MatchesLlamaCppUpToFirstNearTie(string model, KvDataType kvType, string golden)
    {
        var path = model == "tiny" ? SharedData.Model("quant-reference/synth-tiny-q8_0.gguf") : synthetic.Path;
        var (prompt, tokens, margins) = ReadGreedy(Path.Combine(DataDir, golden + ".greedy.txt"));
        using var harness = new ModelHarness(path, threads: 2, kvType: kvType);
        var table = harness.NewSequence(prompt.Length + tokens.Length);
        var logits = Step(harness, table, prompt, 0);

        var maxError = ReadLogits(Path.Combine(DataDir, golden + ".step0-logits.txt")).Max(g => Math.Abs(logits[g.Id] - g.Logit));
        output.WriteLine($"{golden}: step-0 max abs logit error {maxError:G3}");
        Assert.True(maxError < 1e-5, $"step-0 max abs logit error {maxError}");

        for (var i = 0; i < tokens.Length; i++)
        {
            var best = GoldenLogits.TopK(logits, 1)[0];
            if (best != tokens[i])
            {
                Assert.True(margins[i] < NearTie, $"{golden}: token {i} is {best}, llama.cpp's {tokens[i]} with a margin of {margins[i]}");
                output.WriteLine($"{golden}: equal for {i} tokens, then a near-tie ({margins[i]:G3})");
                return;
            }
            logits = Step(harness, table, [best], prompt.Length + i);
        }
        output.WriteLine($"{golden}: all {tokens.Length} tokens equal");
    }

    private static string DataDir => Path.Combine(SharedData.RepoRoot, "tests", "Strata.Models.Tests", "QuantizedKv", "Data");

    private static float[] Step(ModelHarness harness, int[] table, int[] tokens, int start)
    {
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence(table);
        for (var i = 0; i < tokens.Length; i++)
            batch.AddToken(sequence, tokens[i], start + i, wantLogits: i == tokens.Length - 1);
        return harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
    }

    /// <summary>"prompt id id …" then one "token margin" line per greedy step.</summary>
    private static (int[] Prompt, int[] Tokens, double[] Margins) ReadGreedy(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var prompt = lines[0].Split(' ').Skip(1).Select(int.Parse).ToArray();
        var steps = lines.Skip(1).Select(l => l.Split(' ')).ToArray();
        return (prompt, steps.Select(s => int.Parse(s[0])).ToArray(), steps.Select(s => double.Parse(s[1], CultureInfo.InvariantCulture)).ToArray());
    }

    private static IEnumerable<(int Id, float Logit)> ReadLogits(string path) => File.ReadLines(path)
        .Where(l => l.Length > 0)
        .Select(l => l.Split(' '))
        .Select(p => (int.Parse(p[0]), float.Parse(p[1], CultureInfo.InvariantCulture)));

    /// <summary><c>strata synth --dims 512,2,4,2,1024 --ctx 512 --type q4_k_m --seed 1</c>, written once for the class.</summary>
    public sealed class SyntheticModel : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"strata-kv-{Guid.NewGuid():N}.gguf");

        public SyntheticModel() => new SyntheticModelWriter
        {
            Architecture = "llama",
            Shape = SyntheticShape.Parse("512,2,4,2,1024", 512),
            WeightType = TensorType.Q4_K,
            Mix = QuantizationMix.Q4_K_M,
            VocabularyFile = SharedData.Model("ggml-vocab-llama-spm.gguf"),
            Seed = 1,
        }.Write(Path);

        public void Dispose() => File.Delete(Path);
    }
}
