using System.Globalization;
using Strata.Kernels.Quant;
using Strata.Kernels.Threading;
using Strata.Models.Gguf;
using Strata.Models.Kv;
using Strata.Models.Llama;
using Strata.Models.Synth;
using Strata.Models.Tokenizers;
using Strata.TestSupport;

namespace Strata.Models.Tests.Qwen2;

/// <summary>A synthetic qwen2 model (BPE vocabulary, QKV biases, NeoX RoPE) against llama.cpp's logits for the same file.</summary>
public sealed class Qwen2EndToEndTests : IDisposable
{
    private const string Prompt = "Once upon a time, there was";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"strata-qwen2-{Guid.NewGuid():N}.gguf");

    public Qwen2EndToEndTests() => new SyntheticModelWriter
    {
        Architecture = "qwen2",
        Shape = SyntheticShape.Parse("256,2,4,2,512", 256),
        WeightType = TensorType.Q8_0,
        VocabularyFile = SharedData.Model("ggml-vocab-gpt-2.gguf"),
        Seed = 1,
    }.Write(_path);

    [Fact]
    public void Forward_SynthQwen2_MatchesLlamaCppLogits()
    {
        using var file = GgufFile.Open(_path);
        using var model = LlamaModel.Load(file);
        var tokens = Tokenizer.FromGguf(file.Metadata).Encode(Prompt, addSpecial: true, parseSpecial: true);
        Assert.Equal([7454, 2402, 257, 640, 11, 612, 373], tokens);
        Assert.Equal("qwen2", model.Config.Architecture);

        using var kv = new KvBuffer(model.KvLayout(16, KvDataType.F16), 1);
        using var pool = new ComputePool(2);
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence([0]);
        for (var i = 0; i < tokens.Length; i++)
            batch.AddToken(sequence, tokens[i], i, wantLogits: i == tokens.Length - 1);
        var logits = model.Forward(batch, kv, pool).ToArray();

        var golden = File.ReadLines(Path.Combine(SharedData.RepoRoot, "tests", "Strata.Models.Tests", "Qwen2", "Data", "qwen2-tiny-q8_0.step0-logits.txt"))
            .Select(line => line.Split(' '))
            .Select(parts => (Id: int.Parse(parts[0], CultureInfo.InvariantCulture), Logit: float.Parse(parts[1], CultureInfo.InvariantCulture)))
            .ToArray();
        var maxError = golden.Max(g => Math.Abs(logits[g.Id] - g.Logit));
        Assert.True(maxError < 1e-3, $"max abs logit error {maxError}");
    }

    public void Dispose() => File.Delete(_path);
}
