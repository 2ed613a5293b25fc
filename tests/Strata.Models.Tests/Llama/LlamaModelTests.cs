using Strata.Kernels.Simd;

namespace Strata.Models.Tests.Llama;

public sealed class LlamaModelTests
{
    [Theory]
    [InlineData("f32", 1)]
    [InlineData("f32", 2)]
    [InlineData("f32", 3)]
    [InlineData("q8_0", 1)]
    [InlineData("q8_0", 2)]
    [InlineData("q8_0", 3)]
    [InlineData("q4_0", 1)]
    [InlineData("q4_0", 2)]
    [InlineData("q4_0", 3)]
    public void Forward_StoriesPrompt_MatchesGoldenStep0LogitsAtEverySimdLevel(string variant, int prompt)
    {
        var golden = GoldenLogits.Read(GoldenLogits.Stories(variant, prompt));
        float[]? first = null;
        foreach (var level in SimdSupport.Supported)
        {
            using var harness = new ModelHarness($"tinyllamas-stories-260k-{variant}.gguf", level: level);
            var logits = harness.Prefill(GoldenLogits.StoriesPrompts[prompt - 1]);

            Assert.Equal(golden.Length, logits.Length);
            var maxError = logits.Zip(golden, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxError < 2e-2, $"{level}: max abs logit error {maxError}");
            Console.WriteLine($"{variant} prompt {prompt} {level}: max abs logit error {maxError}");
            Assert.Equal(GoldenLogits.TopK(golden, 5), GoldenLogits.TopK(logits, 5));
            first ??= logits;
            Assert.Equal(first, logits);
        }
    }
}
