using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Models;
using Strata.TestSupport;

namespace Strata.Engine.Tests.Engine;

/// <summary>
/// Greedy streams of the quantized TinyStories files against llama.cpp's: equal token for token up to the first
/// near-tie of the top two logits, where float noise may legitimately pick the other one.
/// </summary>
public sealed class QuantizedGoldenTests
{
    private const double NearTie = 1e-2;

    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_0")]
    public async Task Generate_Greedy_EqualsGoldenUpToFirstNearTie(string variant)
    {
        using var model = LoadedModel.Load(SharedData.Model($"tinyllamas-stories-260k-{variant}.gguf"));
        using var engine = InferenceEngine.Start(model, new EngineOptions { KvCacheBytes = 32L << 20, Threads = 2, MaxBatchedTokens = 256 });
        foreach (var golden in GoldenGreedy.Read($"stories260k-{variant}.greedy.txt"))
        {
            var handle = engine.Submit(new GenerationRequest
            {
                PromptTokens = golden.PromptTokens,
                Sampling = SamplingParams.Greedy with { MaxTokens = golden.GeneratedTokens.Length },
                Logprobs = true,
                TopLogprobs = 2,
            });
            var tokens = new List<TokenEvent>();
            await foreach (var e in handle.Events.ReadAllAsync())
            {
                if (e is TokenEvent token)
                    tokens.Add(token);
            }

            var same = 0;
            while (same < golden.GeneratedTokens.Length && tokens[same].TokenId == golden.GeneratedTokens[same])
                same++;
            if (same == golden.GeneratedTokens.Length)
                continue;
            var top = tokens[same].TopLogprobs;
            Assert.True(top[0].Logprob - top[1].Logprob < NearTie,
                $"{variant} '{golden.Prompt}': token {same} differs from llama.cpp's with a margin of {top[0].Logprob - top[1].Logprob}");
            Assert.Contains(golden.GeneratedTokens[same], top.Select(t => t.TokenId));
        }
    }
}
