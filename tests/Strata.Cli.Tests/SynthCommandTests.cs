namespace Strata.Cli.Tests;

/// <summary><c>strata synth</c> for the sparse architectures, read back by <c>strata inspect</c>.</summary>
public sealed class SynthCommandTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"strata-synth-{Guid.NewGuid():N}.gguf");

    [Fact]
    public void Synth_DeepSeek2WithFamilyVocabulary_InspectShowsLatentCacheAndExperts()
    {
        var synth = CliProcess.Run("synth", "--arch", "deepseek2", "--dims", "128,2,4,4,64", "--type", "q8_0", "-o", _path);
        Assert.Equal(0, synth.ExitCode);

        var inspect = CliProcess.Run("inspect", _path);

        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains("tokenizer.ggml.pre = \"deepseek-llm\"", inspect.Stdout);
        Assert.Contains("attention: multi-head latent (kv rank 32, rope 16, query rank 64, heads of 48 / 32)", inspect.Stdout);
        Assert.Contains("feed-forward: 8 experts of 64, 2 per token (softmax), shared experts of 128, 1 leading dense layers", inspect.Stdout);
        // 2 layers × (latent 32 + rope 16) × 2 bytes, against 2 × 4 heads × (48 + 32) × 2.
        Assert.Contains("kv cache: 192 bytes per token (F16), 6.7x less than full keys and values (1,280)", inspect.Stdout);
    }

    [Fact]
    public void Synth_MixtralWithExpertOptions_IsLlamaWithExperts()
    {
        var synth = CliProcess.Run("synth", "--arch", "mixtral", "--dims", "64,2,4,2,64", "--experts", "4", "--experts-used", "1", "--type", "q4_0", "-o", _path);
        Assert.Equal(0, synth.ExitCode);

        var inspect = CliProcess.Run("inspect", _path);

        Assert.Contains("general.architecture = \"llama\"", inspect.Stdout);
        Assert.Contains("blk.1.ffn_gate_exps.weight", inspect.Stdout);
        Assert.Contains("feed-forward: 4 experts of 64, 1 per token (softmax, normalised)", inspect.Stdout);
    }

    [Theory]
    [InlineData("--arch", "qwen3moe", "--shared-experts", "1")]
    [InlineData("--arch", "mixtral", "--experts-used", "9")]
    [InlineData("--arch", "deepseek2", "--expert-gating", "relu")]
    [InlineData("--arch", "gpt5", "--experts", "8")]
    public void Synth_InvalidExpertOptions_FailWithErrorLine(params string[] options)
    {
        var result = CliProcess.Run(["synth", "--dims", "64,2,4,2,64", "--type", "f32", "-o", _path, .. options]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error:", result.Stderr);
        Assert.False(File.Exists(_path));
    }

    public void Dispose() => File.Delete(_path);
}
