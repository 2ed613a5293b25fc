using Strata.KvCache;
using System.Globalization;
using Strata.Kernels.Quant;
using Strata.Kernels.Threading;
using Strata.Models.Gguf;
using Strata.Models.Kv;
using Strata.Models.Llama;
using Strata.Models.Synth;
using Strata.Models.Tokenizers;
using Strata.TestSupport;

namespace Strata.Models.Tests.QwenFamily;

/// <summary>
/// Synthetic Qwen-family models against llama.cpp's logits for the same files: qwen2 (BPE vocabulary, QKV biases,
/// NeoX RoPE) and qwen3 (per-head q/k RMSNorm, heads wider than embd / heads).
/// </summary>
public sealed class QwenEndToEndTests
{
    private const string Prompt = "Once upon a time, there was";

    [Theory]
    [InlineData("qwen2", 64)]
    [InlineData("qwen3", 128)]
    public void Forward_SynthModel_MatchesLlamaCppLogits(string architecture, int headDim)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-{architecture}-{Guid.NewGuid():N}.gguf");
        try
        {
            new SyntheticModelWriter
            {
                Architecture = architecture,
                Shape = SyntheticShape.Parse("256,2,4,2,512", 256) with { HeadDim = headDim },
                WeightType = TensorType.Q8_0,
                VocabularyFile = SharedData.Model("ggml-vocab-gpt-2.gguf"),
                Seed = 1,
            }.Write(path);
            var logits = StepZeroLogits(path, architecture, headDim);

            var golden = File.ReadLines(Path.Combine(SharedData.RepoRoot, "tests", "Strata.Models.Tests", "QwenFamily", "Data", $"{architecture}-tiny-q8_0.step0-logits.txt"))
                .Select(line => line.Split(' '))
                .Select(parts => (Id: int.Parse(parts[0], CultureInfo.InvariantCulture), Logit: float.Parse(parts[1], CultureInfo.InvariantCulture)))
                .ToArray();
            var maxError = golden.Max(g => Math.Abs(logits[g.Id] - g.Logit));
            Assert.True(maxError < 1e-3, $"max abs logit error {maxError}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static float[] StepZeroLogits(string path, string architecture, int headDim)
    {
        using var file = GgufFile.Open(path);
        using var model = LlamaModel.Load(file);
        Assert.Equal(architecture, model.Config.Architecture);
        Assert.Equal(headDim, model.Config.HeadDim);
        var tokens = Tokenizer.FromGguf(file.Metadata).Encode(Prompt, addSpecial: true, parseSpecial: true);
        Assert.Equal([7454, 2402, 257, 640, 11, 612, 373], tokens);

        using var kv = new KvBuffer(model.KvLayout(16, KvDataType.F16), 1);
        using var pool = new ComputePool(2);
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence([0]);
        for (var i = 0; i < tokens.Length; i++)
            batch.AddToken(sequence, tokens[i], i, wantLogits: i == tokens.Length - 1);
        return model.Forward(batch, kv, pool).ToArray();
    }
}
