using Strata.Kernels.Quant;

namespace Strata.Models.Tests.Sparse;

/// <summary>A synthetic sparse model of <see cref="SparseEndToEndTests.Writer"/> in a temporary file, deleted on dispose.</summary>
internal sealed class SyntheticModelFile : IDisposable
{
    public SyntheticModelFile(string variant, TensorType type)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"strata-{variant}-{Guid.NewGuid():N}.gguf");
        SparseEndToEndTests.Writer(variant, type).Write(Path);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
