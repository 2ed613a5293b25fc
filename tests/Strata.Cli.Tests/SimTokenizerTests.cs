using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Cli.Tests;

/// <summary><c>strata sim --tokenizer</c>: the simulated requests are the prompts bench serve sends, as the server tokenizes them.</summary>
public sealed class SimTokenizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("strata-sim-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("--num-prompts 6 --random-input-len 48 --random-range-ratio 0.5 --random-output-len 2 --request-rate 20")]
    [InlineData("--dataset shared-prefix --shared-prefix-groups 2 --shared-prefix-len 40 --questions-per-group 2 --question-len 12 --random-output-len 2 --request-rate 2")]
    public async Task Sim_WithTheServersTokenizer_SimulatesThePromptLengthsAndCacheHitsTheServerReported(string workload)
    {
        var model = SharedData.Model("tinyllamas-stories-260k-f32.gguf");
        // The model's own context, as the server has it.
        var profile = SimCommandTests.RoundProfile(_directory, maxModelLength: 512);
        var (realJson, simJson) = (Path.Combine(_directory, "real.json"), Path.Combine(_directory, "sim.json"));
        string[] flags = [.. workload.Split(' '), "--seed", "5", "--ignore-eos"];

        using (var server = await ServeProcess.StartAsync("-m", model, "--threads", "1", "--kv-cache-memory", "16MiB"))
            Assert.Equal(0, CliProcess.Run(["bench", "serve", "--url", server.Address.ToString(), .. flags, "--json", realJson]).ExitCode);
        var sim = CliProcess.Run(["sim", "--profile", profile, "--tokenizer", model, .. flags[..^1], "--json", simJson]);

        Assert.Equal(0, sim.ExitCode);
        Assert.Equal(Requests(realJson), Requests(simJson));
    }

    private static List<(int Prompt, int Cached)> Requests(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("requests").EnumerateArray().Select(r => (r.GetProperty("prompt_tokens").GetInt32(), r.GetProperty("cached_tokens").GetInt32()))];
    }
}
