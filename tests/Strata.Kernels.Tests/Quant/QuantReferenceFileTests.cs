using Strata.Kernels.Quant;
using Strata.TestSupport;
using Xunit.Abstractions;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// The quant-reference files: one random-weight tiny Llama quantized by llama.cpp's llama-quantize (no importance
/// matrix) into every type, checked against its F32 source.
/// </summary>
public sealed class QuantReferenceFileTests(ITestOutputHelper output)
{
    private static readonly string Directory = Path.Combine(SharedData.ModelsDir, "quant-reference");
    private static readonly string F32Path = Path.Combine(Directory, "synth-tiny-f32.gguf");

    public static TheoryData<string> QuantizedFiles => new(
        "synth-tiny-f16.gguf", "synth-tiny-bf16.gguf", "synth-tiny-q8_0.gguf", "synth-tiny-q4_0.gguf",
        "synth-tiny-q4_1.gguf", "synth-tiny-q5_0.gguf", "synth-tiny-q5_1.gguf", "synth-tiny-q2_k.gguf",
        "synth-tiny-q3_k_m.gguf", "synth-tiny-q4_k_m.gguf", "synth-tiny-q5_k_m.gguf", "synth-tiny-q6_k.gguf");

    [Theory]
    [MemberData(nameof(QuantizedFiles))]
    public void DequantizeRow_EveryTensor_WithinTypeBoundOfF32Source(string fileName)
    {
        var comparison = ReferenceTensorComparison.Run(Path.Combine(Directory, fileName), F32Path);

        foreach (var (type, result) in comparison.ByType)
            output.WriteLine($"{fileName} {type}: {result}");
        Assert.Empty(comparison.OutOfBound);
        Assert.All(comparison.ByType, entry => Assert.True(entry.Value.RelativeRmsError <= QuantErrorBounds.For(entry.Key).RmsOfRms,
            $"{entry.Key}: relative RMS error {entry.Value.RelativeRmsError:G4}"));
    }

    [Theory]
    [MemberData(nameof(QuantizedFiles))]
    public void QuantizeRow_F32SourceTensors_ReproduceFileBytes(string fileName)
    {
        var comparison = ReferenceTensorComparison.Run(Path.Combine(Directory, fileName), F32Path);

        Assert.All(comparison.ByType, entry => Assert.True(entry.Value.MismatchedBlocks == 0, $"{entry.Key}: {entry.Value}"));
    }
}
