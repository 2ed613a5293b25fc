using System.Text.RegularExpressions;
using Strata.Models.Gguf;
using Strata.TestSupport;

namespace Strata.Cli.Tests;

public sealed partial class GenerateCommandTests
{
    public static TheoryData<int> Prompts => new() { 1, 2, 3 };

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Generate_GreedyF32_EqualsLlamaCppGoldenText(int prompt)
    {
        var golden = GoldenGreedy.Read("stories260k-f32.greedy.txt")[prompt - 1];

        var result = CliProcess.Run("generate", "-m", SharedData.Model("tinyllamas-stories-260k-f32.gguf"),
            "-p", golden.Prompt, "-n", "64", "--temp", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(golden.Text, result.Stdout);
    }

    [Fact]
    public void Generate_NoModelOption_UsesDefaultModel()
    {
        var result = CliProcess.Run("generate", "-p", "Once upon a time", "-n", "8", "--temp", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(", there was a little girl", result.Stdout);
    }

    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_0")]
    public void Generate_QuantizedKvCache_EqualsLlamaCppGreedyTokens(string kvType)
    {
        // llama.cpp's greedy tokens for this model and cache type (see Strata.Models.Tests/QuantizedKv/Data).
        var model = SharedData.Model("quant-reference/synth-tiny-q8_0.gguf");
        var golden = File.ReadLines(Path.Combine(SharedData.RepoRoot, "tests", "Strata.Models.Tests", "QuantizedKv", "Data", $"tiny-q8_0-kv{kvType}.greedy.txt"))
            .Skip(1).Take(8).Select(line => int.Parse(line.Split(' ')[0])).ToArray();
        using var file = GgufFile.Open(model);
        var expected = Models.Tokenizers.Tokenizer.FromGguf(file.Metadata).Decode(golden);

        var result = CliProcess.Run("generate", "-m", model, "-p", "Once upon a time", "-n", "8", "--temp", "0", "--kv-cache-dtype", kvType);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.Stdout);
    }

    [Fact]
    public void Generate_SameSeed_SameOutput()
    {
        string[] args = ["generate", "-p", "Once upon a time", "-n", "24", "--temp", "1.2", "--seed", "7"];
        Assert.Equal(CliProcess.Run(args).Stdout, CliProcess.Run(args).Stdout);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("v1")]
    [InlineData("truncated")]
    [InlineData("unknown-architecture")]
    [InlineData("empty-prompt")]
    [InlineData("zero-tokens")]
    [InlineData("negative-tokens")]
    [InlineData("prompt-too-long")]
    [InlineData("kv-type-too-coarse")]
    public void Generate_BadInput_OneLineErrorAndNonZeroExit(string problem)
    {
        var model = SharedData.Model("tinyllamas-stories-260k-f32.gguf");
        var prompt = "Once upon a time";
        var tokens = "8";
        var kvType = "f16";
        switch (problem)
        {
            case "missing": model = "/nonexistent/model.gguf"; break;
            case "v1": model = SharedData.Model("tinyllamas-stories-260k-f32.v1.gguf"); break;
            case "truncated": model = TruncatedCopy(model); break;
            case "unknown-architecture": model = WithArchitecture(model, "gptj"); break;
            case "empty-prompt": prompt = ""; break;
            case "zero-tokens": tokens = "0"; break;
            case "negative-tokens": tokens = "-3"; break;
            case "prompt-too-long": prompt = string.Concat(Enumerable.Repeat("Once upon a time there was a dog. ", 80)); break;
            case "kv-type-too-coarse": kvType = "q8_0"; break; // heads of 8 cannot be quantized in blocks of 32 (llama.cpp refuses too)
        }

        var result = CliProcess.Run("generate", "-m", model, "-p", prompt, "-n", tokens, "--kv-cache-dtype", kvType);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var lines = result.Stderr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotMatch(StackFrame(), result.Stderr);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void Generate_SpeculativeTokensBelowOne_RefusedWhenParsed(string tokens)
    {
        var result = CliProcess.Run("generate", "-m", SharedData.Model("tinyllamas-stories-260k-f32.gguf"), "-p", "Hi", "-n", "4",
            "--speculative", "suffix", "--num-speculative-tokens", tokens);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal($"--num-speculative-tokens must be at least 1, got {tokens}", result.Stderr.Trim());
    }

    [GeneratedRegex(@"\bat [\w.]+\(")]
    private static partial Regex StackFrame();

    private static string TruncatedCopy(string model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-truncated-{Guid.NewGuid():N}.gguf");
        var bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }

    private static string WithArchitecture(string model, string architecture)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-arch-{Guid.NewGuid():N}.gguf");
        using var source = GgufFile.Open(model);
        var writer = new GgufWriter();
        foreach (var (key, value) in source.Metadata.Entries)
            writer.Add(key, key == "general.architecture" ? GgufValue.Of(architecture) : value);
        writer.Write(path);
        return path;
    }
}
