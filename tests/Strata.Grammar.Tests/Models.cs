using Strata.Kernels.Quant;
using Strata.Models;
using Strata.Models.Synth;
using Strata.TestSupport;

namespace Strata.Grammar.Tests;

/// <summary>
/// The models structured output is tested on: TinyStories (trained, 512-token SentencePiece vocabulary) and a
/// random-weight Llama with the 32,000-token Llama 2 vocabulary, written once per test run.
/// </summary>
public sealed class Models : IDisposable
{
    private readonly string _synthPath = Path.Combine(Path.GetTempPath(), $"strata-grammar-synth-{Guid.NewGuid():N}.gguf");

    public Models()
    {
        new SyntheticModelWriter
        {
            Architecture = "llama",
            Shape = SyntheticShape.Parse("64,2,4,2,128", 1024),
            WeightType = TensorType.Q8_0,
            VocabularyFile = SharedData.Model("ggml-vocab-llama-spm.gguf"),
            Seed = 7,
        }.Write(_synthPath);
        Stories = LoadedModel.Load(SharedData.Model("tinyllamas-stories-260k-f32.gguf"));
        Synth = LoadedModel.Load(_synthPath);
    }

    public LoadedModel Stories { get; }

    public LoadedModel Synth { get; }

    public LoadedModel this[string name] => name == "stories" ? Stories : Synth;

    public void Dispose()
    {
        Stories.Dispose();
        Synth.Dispose();
        File.Delete(_synthPath);
    }
}
