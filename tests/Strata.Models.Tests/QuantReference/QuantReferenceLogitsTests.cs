using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.Models.Gguf;
using Strata.Models.Kv;
using Strata.Models.Llama;
using Strata.TestSupport;
using Xunit.Abstractions;

namespace Strata.Models.Tests.QuantReference;

/// <summary>Step-0 logits of the tiny random-weight model in every GGUF tensor type against llama.cpp's.</summary>
public sealed class QuantReferenceLogitsTests(ITestOutputHelper output)
{
    private static readonly int[] Prompt = [1, 403, 407, 261, 378];

    // Our numerics follow ggml's (activation quantization, summation orders), so quantized types land within float
    // noise of llama.cpp; the bound leaves room for a reordered SIMD sum, not for a wrong kernel (those miss by > 0.1).
    [Theory]
    [InlineData("f32", 1e-2)]
    [InlineData("f16", 1e-2)]
    [InlineData("bf16", 1e-2)]
    [InlineData("q8_0", 1e-2)]
    [InlineData("q4_0", 1e-2)]
    [InlineData("q4_1", 1e-2)]
    [InlineData("q5_0", 1e-2)]
    [InlineData("q5_1", 1e-2)]
    [InlineData("q2_k", 1e-2)]
    [InlineData("q3_k_m", 1e-2)]
    [InlineData("q4_k_m", 1e-2)]
    [InlineData("q5_k_m", 1e-2)]
    [InlineData("q6_k", 1e-2)]
    public void Forward_EveryTensorType_MatchesLlamaCppStep0Logits(string variant, double tolerance)
    {
        var directory = Path.Combine(SharedData.ModelsDir, "quant-reference");
        using var file = GgufFile.Open(Path.Combine(directory, $"synth-tiny-{variant}.gguf"));
        using var model = LlamaModel.Load(file);
        using var kv = new KvBuffer(model.KvLayout(16, KvDataType.F16), 4);
        using var pool = new ComputePool(2);
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence([0]);
        for (var i = 0; i < Prompt.Length; i++)
            batch.AddToken(sequence, Prompt[i], i, wantLogits: i == Prompt.Length - 1);

        var logits = model.Forward(batch, kv, pool).ToArray();
        var golden = ReadLogits(Path.Combine(directory, $"synth-tiny-{variant}.step0-logits.txt"));

        var maxError = logits.Zip(golden, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{variant}: max abs logit error {maxError:G3}");
        Assert.True(maxError <= tolerance, $"{variant}: max abs logit error {maxError}");
    }

    private static float[] ReadLogits(string path) => File.ReadLines(path)
        .Where(line => line.Length > 0)
        .Select(line => line.Split(' '))
        .OrderBy(parts => int.Parse(parts[0]))
        .Select(parts => float.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))
        .ToArray();
}
