using Strata.Models.Gguf;

namespace Strata.Cli.Tests;

/// <summary><c>strata synth --copying</c>: a synthetic model whose greedy output repeats spans of its prompt.</summary>
public sealed class SynthCopyingTests : IDisposable
{
    // Embd 512 with heads of 64 leaves room for the circuit's subspaces; layers 2 and 3 stay random.
    private const string Dims = "512,4,8,8,512";

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"strata-copying-{Guid.NewGuid():N}.gguf");
    private readonly string _randomPath = Path.Combine(Path.GetTempPath(), $"strata-random-{Guid.NewGuid():N}.gguf");

    [Theory]
    [InlineData("f32", "Lily saw a big red ball in the park. She wanted to play with the ball. Lily saw a big red ball",
        " in the park. She wanted to play with the ball. Lily saw a big red ball in the park.")]
    [InlineData("q8_0", "Tom and Sue went to the shop. They got a toy car and a hat. Tom and Sue went to the shop. They got",
        " a toy car and a hat. Tom and Sue went to the shop. They got a toy car and a hat.")]
    [InlineData("q4_0", "def add(a, b): return a + b\ndef mul(a, b): return a * b\ndef add(a, b):",
        " return a * b\ndef add(a, b): return a * b\ndef add(a, b): return a * b")]
    public void Synth_Copying_GreedyContinuationRepeatsThePrompt(string type, string prompt, string expected)
    {
        Assert.Equal(0, CliProcess.Run("synth", "--dims", Dims, "--type", type, "--copying", "-o", _path).ExitCode);

        var result = CliProcess.Run("generate", "-m", _path, "-p", prompt, "-n", "48", "--temp", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(expected, result.Stdout);
    }

    [Fact]
    public void Synth_Copying_RepeatsTheLatestOfSeveralContinuations()
    {
        Assert.Equal(0, CliProcess.Run("synth", "--dims", Dims, "--type", "q8_0", "--copying", "-o", _path).ExitCode);

        // "sat on the" was followed by "mat" and later by "log": the latest match wins.
        var result = CliProcess.Run("generate", "-m", _path, "-p", "The cat sat on the mat. The dog sat on the log. The bird sat on the", "-n", "6", "--temp", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(" log. The", result.Stdout);
    }

    [Fact]
    public void Synth_Copying_SameTensorsTypesAndSizesAsRandomWeights()
    {
        Assert.Equal(0, CliProcess.Run("synth", "--dims", Dims, "--type", "q4_0", "--copying", "-o", _path).ExitCode);
        Assert.Equal(0, CliProcess.Run("synth", "--dims", Dims, "--type", "q4_0", "-o", _randomPath).ExitCode);

        using var copying = GgufFile.Open(_path);
        using var random = GgufFile.Open(_randomPath);

        Assert.Equal(
            random.Tensors.Select(t => (t.Name, t.Type, string.Join(',', t.Dimensions), t.Offset)),
            copying.Tensors.Select(t => (t.Name, t.Type, string.Join(',', t.Dimensions), t.Offset)));
        Assert.Equal(1_000_000f, copying.Metadata.GetFloat("llama.rope.freq_base", 0f));
    }

    [Theory]
    [InlineData("--arch", "qwen2", "--dims", Dims)]
    [InlineData("--dims", "256,4,4,4,256")]
    [InlineData("--dims", "512,4,32,32,512")]
    public void Synth_CopyingUnsupportedShape_FailsWithErrorLine(params string[] options)
    {
        var result = CliProcess.Run(["synth", "--type", "f32", "--copying", "-o", _path, .. options]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error:", result.Stderr);
        Assert.Contains("copying", result.Stderr);
        Assert.False(File.Exists(_path));
    }

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(_randomPath);
    }
}
