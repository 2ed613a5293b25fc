using Strata.Kernels.Quant;
using Strata.Models;
using Strata.Models.Synth;
using Strata.TestSupport;

namespace Strata.Engine.Tests.Sparse;

/// <summary>Small synthetic sparse models (TinyStories vocabulary): a deepseek2 with latent attention and a Mixtral.</summary>
public sealed class SparseModelFixture : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"strata-sparse-{Guid.NewGuid():N}");

    public SparseModelFixture()
    {
        Directory.CreateDirectory(_directory);
        DeepSeek = Load("deepseek2", "256,3,4,4,128");
        Mixtral = Load("mixtral", "256,2,4,2,128");
    }

    public LoadedModel DeepSeek { get; }

    public LoadedModel Mixtral { get; }

    public void Dispose()
    {
        DeepSeek.Dispose();
        Mixtral.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private LoadedModel Load(string architecture, string dims)
    {
        var path = Path.Combine(_directory, $"{architecture}.gguf");
        new SyntheticModelWriter
        {
            Architecture = architecture,
            Shape = SyntheticShape.Parse(dims, 512),
            WeightType = TensorType.Q8_0,
            VocabularyFile = SharedData.Model("tinyllamas-stories-260k-f32.gguf"),
            Seed = 5,
        }.Write(path);
        return LoadedModel.Load(path);
    }
}
