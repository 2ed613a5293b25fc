using Strata.Kernels.Quant;
using Strata.TestSupport;
using Xunit.Abstractions;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// The TinyStories 260K model as F32, Q8_0 and Q4_0: the quantized tensors must dequantize close to the F32 ones, and
/// quantizing the F32 ones must give the files' bytes.
/// </summary>
public sealed class TinyStoriesFileTests(ITestOutputHelper output)
{
    private static readonly string F32Path = SharedData.Model("tinyllamas-stories-260k-f32.gguf");

    [Theory]
    [InlineData("tinyllamas-stories-260k-q8_0.gguf", TensorType.Q8_0)]
    [InlineData("tinyllamas-stories-260k-q4_0.gguf", TensorType.Q4_0)]
    public void DequantizeRow_QuantizedTensors_WithinTypeBoundOfF32File(string fileName, TensorType mainType)
    {
        var comparison = ReferenceTensorComparison.Run(SharedData.Model(fileName), F32Path);

        foreach (var (type, result) in comparison.ByType)
            output.WriteLine($"{fileName} {type}: {result}");
        Assert.True(comparison.ByType.ContainsKey(mainType), $"{fileName} has no {mainType} tensors");
        Assert.Empty(comparison.OutOfBound);
        Assert.All(comparison.ByType, entry => Assert.True(entry.Value.RelativeRmsError <= QuantErrorBounds.For(entry.Key).RmsOfRms,
            $"{entry.Key}: relative RMS error {entry.Value.RelativeRmsError:G4}"));
    }

    [Theory]
    [InlineData("tinyllamas-stories-260k-q8_0.gguf")]
    [InlineData("tinyllamas-stories-260k-q4_0.gguf")]
    public void QuantizeRow_F32Tensors_ReproduceFileBytes(string fileName)
    {
        var comparison = ReferenceTensorComparison.Run(SharedData.Model(fileName), F32Path);

        Assert.All(comparison.ByType, entry => Assert.True(entry.Value.MismatchedBlocks == 0, $"{entry.Key}: {entry.Value}"));
    }
}
