using System.Diagnostics;
using Strata.TestSupport;

namespace Strata.Cli.Tests;

/// <summary><c>dotnet pack</c> makes strata a .NET tool that works outside the repository.</summary>
public sealed class PackagedToolTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string _root = Directory.CreateTempSubdirectory("strata-tool-").FullName;

    [Fact]
    public async Task InstalledTool_RunFromAnotherDirectory_HelpSynthAndServeWork()
    {
        var feed = Path.Combine(_root, "feed");
        var tools = Path.Combine(_root, "tools");
        var work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        var models = Directory.CreateDirectory(Path.Combine(_root, "models")).FullName;
        var project = Path.Combine(SharedData.RepoRoot, "src", "Strata.Cli");
        Succeed(CliProcess.Program("dotnet", "pack", project, "-c", Configuration, "--no-build", "-o", feed));
        Succeed(CliProcess.Program("dotnet", "tool", "install", "Strata.Cli", "--tool-path", tools, "--add-source", feed, "--ignore-failed-sources"));
        var strata = Path.Combine(tools, "strata");
        ProcessStartInfo Strata(params string[] args)
        {
            var start = CliProcess.Program(strata, args);
            start.WorkingDirectory = work;
            start.Environment["STRATA_MODELS_DIR"] = models;
            return start;
        }

        Assert.Contains("serve", Succeed(Strata("--help")).Stdout);

        // Nothing above the tool or the working directory holds shared/models: synth uses its own vocabulary.
        var synth = Succeed(Strata("synth", "--dims", "64,2,4,2,128", "--ctx", "256", "--type", "q8_0", "-o", "tiny.gguf"));
        Assert.Contains("vocabulary: built-in", synth.Stderr);
        Assert.StartsWith("[1, ", Succeed(Strata("tokenize", "-m", "tiny.gguf", "-p", "Once upon a time", "--ids")).Stdout);

        // The default model is found in the user's model directory.
        File.Copy(SharedData.Model("tinyllamas-stories-260k-f32.gguf"), Path.Combine(models, "tinyllamas-stories-260k-f32.gguf"));
        using var server = await ServeProcess.StartAsync(Strata("serve", "--port", "0", "--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", "--threads", "1"));
        Assert.Equal(", there was a little girl", (await server.CompleteAsync("Once upon a time", 8)).Text);
        Assert.True(server.Terminate(TimeSpan.FromSeconds(10)), "strata serve did not stop on SIGTERM");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CliProcess.Result Succeed(ProcessStartInfo start)
    {
        var result = CliProcess.Run(start);
        Assert.True(result.ExitCode == 0, $"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
        return result;
    }
}
