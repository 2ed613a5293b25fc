using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Models;
using Strata.TestSupport;

namespace Strata.Engine.Tests.Engine;

/// <summary>Loads the TinyStories model once and runs requests to completion through engines configured per test.</summary>
public sealed class EngineFixture : IDisposable
{
    public LoadedModel Model { get; } = LoadedModel.Load(SharedData.Model("tinyllamas-stories-260k-f32.gguf"));

    public int[] Tokens(string text) => Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);

    public InferenceEngine Start(EngineOptions? options = null) =>
        InferenceEngine.Start(Model, options ?? new EngineOptions { KvCacheBytes = 64L << 20, Threads = 2, MaxBatchedTokens = 256 });

    public static GenerationRequest Greedy(int[] prompt, int maxTokens, int choices = 1) =>
        new() { PromptTokens = prompt, Sampling = SamplingParams.Greedy with { MaxTokens = maxTokens }, Choices = choices };

    public void Dispose() => Model.Dispose();
}
