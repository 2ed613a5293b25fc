using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Cli.Tests;

public sealed class SimCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("strata-sim-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A profile of round figures: 10 ms a step, 1 ms per prefill token, 2 ms per decoding sequence.</summary>
    private string Profile() => RoundProfile(_directory);

    /// <summary>Writes the profile of round figures into <paramref name="directory"/> and returns its path.</summary>
    internal static string RoundProfile(string directory, int maxModelLength = 2048)
    {
        var path = Path.Combine(directory, "profile.json");
        File.WriteAllText(path, $$"""
            {
              "model": "round.gguf", "threads": 2,
              "cost": { "fixed_seconds": 0.01, "prefill_token_seconds": 0.001, "decode_sequence_seconds": 0.002, "context_token_seconds": 0, "block_load_seconds": 0 },
              "block_size": 16, "max_batched_tokens": 64, "max_sequences": 64, "kv_blocks": 1024, "max_model_length": {{maxModelLength}},
              "steps": 100, "mean_relative_error": 0.05
            }
            """);
        return path;
    }

    [Fact]
    public void Sim_PrintsBenchServesTable_AndJsonInItsNames()
    {
        var json = Path.Combine(_directory, "out.json");

        var result = CliProcess.Run("sim", "--profile", Profile(), "--nodes", "2", "--router", "kv-aware", "--dataset", "shared-prefix",
            "--shared-prefix-groups", "2", "--shared-prefix-len", "64", "--questions-per-group", "3", "--question-len", "8",
            "--random-output-len", "4", "--request-rate", "5", "--json", json, "--plot", Path.Combine(_directory, "plots"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Successful requests:                     6", result.Stdout);
        Assert.Contains("P90 TTFT (ms):", result.Stdout);
        Assert.Contains("Prefix cache hit rate", result.Stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(6, root.GetProperty("completed").GetInt32());
        Assert.True(root.GetProperty("cache_hit_rate").GetDouble() > 0.5);
        Assert.True(root.GetProperty("ttft_ms").GetProperty("p50").GetDouble() > 0);
        Assert.Equal(6, root.GetProperty("requests").GetArrayLength());
        foreach (var chart in new[] { "ttft-cdf.png", "itl-cdf.png", "throughput.png" })
            Assert.True(new FileInfo(Path.Combine(_directory, "plots", chart)).Length > 1000, chart);
    }

    [Fact]
    public void Sim_ReplaysAMooncakeTrace()
    {
        var trace = Path.Combine(_directory, "trace.jsonl");
        File.WriteAllLines(trace, [
            """{"timestamp": 0, "input_length": 600, "output_length": 3, "hash_ids": [1, 2]}""",
            """{"timestamp": 2000, "input_length": 600, "output_length": 3, "hash_ids": [1, 3]}""",
        ]);

        var result = CliProcess.Run("sim", "--profile", Profile(), "--dataset", "mooncake", "--trace", trace);

        Assert.Equal(0, result.ExitCode);
        // The second prompt's first 512 tokens (hash 1) are the first's and come from the cache: a mean of 256 over the two.
        Assert.Contains("Mean cached prompt tokens:               256.00", result.Stdout);
    }

    [Theory]
    [InlineData("--dataset mooncake", "--trace FILE")]
    [InlineData("--trace x.jsonl", "--trace applies only")]
    [InlineData("--kv-blocks 0", "--kv-blocks")]
    [InlineData("--burstiness -1", "--burstiness")]
    [InlineData("--prefill 1", "needs both --prefill X and --decode Y")]
    [InlineData("--prefill 1 --decode 1 --kv-block-bytes 1KiB", "--transfer-bandwidth")]
    [InlineData("--prefill 1 --decode 1 --nodes 2 --transfer-bandwidth 1GB --kv-block-bytes 1KiB", "leave it out")]
    [InlineData("--transfer-bandwidth 1GB", "applies only to an xP+yD cluster")]
    [InlineData("--sweep-rates 1,2", "--sweep-rates measures attainment")]
    [InlineData("--tier-mix gold=1", "--tier-mix")]
    [InlineData("--host-blocks -1", "--host-blocks")]
    public void Sim_BadFlags_AreOneErrorLine(string flags, string expected)
    {
        var result = CliProcess.Run(["sim", "--profile", Profile(), .. flags.Split(' ')]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public void Profile_WritesTheCostLaw_AndTheServersOverheadMeasuredThroughARealServer()
    {
        var path = Path.Combine(_directory, "measured.json");

        var result = CliProcess.Run("profile", "-m", SharedData.Model("tinyllamas-stories-260k-f32.gguf"), "--threads", "1", "--kv-cache-memory", "32MiB", "-o", path);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("server:", result.Stderr);
        Assert.Contains("-token cached prefix + 32:", result.Stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        Assert.True(root.GetProperty("cost").GetProperty("prefill_attention_seconds").GetDouble() >= 0);
        var overhead = root.GetProperty("server_overhead");
        Assert.True(double.IsFinite(overhead.GetProperty("request_seconds").GetDouble()) && overhead.GetProperty("request_seconds").GetDouble() >= 0);
        Assert.True(double.IsFinite(overhead.GetProperty("token_seconds").GetDouble()) && overhead.GetProperty("token_seconds").GetDouble() >= 0);
        Assert.True(double.IsFinite(overhead.GetProperty("step_seconds").GetDouble()) && overhead.GetProperty("step_seconds").GetDouble() >= 0);
        Assert.True(double.IsFinite(overhead.GetProperty("prompt_token_seconds").GetDouble()) && overhead.GetProperty("prompt_token_seconds").GetDouble() >= 0);
        // Every shape that isolates a term ran: prompt chunks alone, a long prompt, lone decodes at a context, prefix hits, decode batches.
        foreach (var shape in new[] { "lone 64-token prompt chunks", "-token prompt:", "lone decodes at 128 positions", "32-token prompts after 128 cached positions", "16 decodes of 16-token prompts" })
            Assert.Contains(shape, result.Stderr);
        // The written profile drives a simulation.
        Assert.Equal(0, CliProcess.Run("sim", "--profile", path, "--num-prompts", "4", "--random-input-len", "32", "--random-output-len", "8").ExitCode);
    }

    [Fact]
    public void SimSearch_FindsTheFewestNodesThatMeetTheSlo()
    {
        // 8 requests of 32 prompt tokens at once, round-robin. A node with one or two of them prefills them in one
        // 64-token step (TTFT 42 or 74 ms); a third waits for a second step (120 ms). TTFT under 100 ms for all: 4 nodes.
        string[] flags = ["--profile", Profile(), "--num-prompts", "8", "--random-input-len", "32", "--random-output-len", "4", "--goodput", "ttft:100", "--attainment", "1"];

        var found = CliProcess.Run(["sim", "search", .. flags, "--max-nodes", "8"]);
        var tooFew = CliProcess.Run(["sim", "search", .. flags, "--max-nodes", "3"]);

        Assert.True(found.ExitCode == 0, found.Stderr);
        Assert.Contains("Cheapest: 4 colocated node(s)", found.Stdout);
        Assert.NotEqual(0, tooFew.ExitCode);
        Assert.Contains("Not met", tooFew.Stdout);
        Assert.NotEqual(0, CliProcess.Run(["sim", "search", "--profile", Profile()]).ExitCode);
    }

    [Fact]
    public void Sim_DisaggregatedCluster_WithATierMix_ReportsHandoffsTiersAndAttainmentAgainstLoad()
    {
        var json = Path.Combine(_directory, "pd.json");
        var plots = Path.Combine(_directory, "pd-plots");

        var result = CliProcess.Run("sim", "--profile", Profile(), "--prefill", "1", "--decode", "2", "--transfer-bandwidth", "1MB", "--kv-block-bytes", "1KiB",
            "--disagg-threshold", "16", "--host-blocks", "64", "--num-prompts", "6", "--random-input-len", "64", "--random-output-len", "4", "--request-rate", "5",
            "--tier-mix", "priority=0.5,flex=0.5", "--goodput", "ttft:1000", "--sweep-rates", "1,5", "--json", json, "--plot", plots);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("simulated: 1P+2D", result.Stdout);
        Assert.Contains("Prompts computed on prefill nodes:       6 (18 blocks handed off)", result.Stdout);
        Assert.Contains("Tier priority", result.Stdout);
        Assert.Contains("Tier flex", result.Stdout);
        Assert.Matches(@"\n\s+5 +\d+\.\d %", result.Stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(1, document.RootElement.GetProperty("prefill_nodes").GetInt32());
        Assert.Equal(64, document.RootElement.GetProperty("host_blocks_per_node").GetInt32());
        Assert.True(new FileInfo(Path.Combine(plots, "attainment-vs-load.png")).Length > 1000);
    }

    [Fact]
    public void SimSearch_TriesPrefillDecodeSplitsAndHostTierSizes_AndChartsNodesAgainstGoodput()
    {
        string[] flags = ["--profile", Profile(), "--num-prompts", "8", "--random-input-len", "32", "--random-output-len", "4", "--goodput", "ttft:100", "--attainment", "1"];

        var result = CliProcess.Run(["sim", "search", .. flags, "--max-nodes", "4", "--pd", "--transfer-bandwidth", "1GB", "--kv-block-bytes", "1KiB",
            "--host-blocks-choices", "0,32", "--plot", _directory]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("1P+1D", result.Stdout);
        Assert.Contains("Cheapest:", result.Stdout);
        Assert.True(new FileInfo(Path.Combine(_directory, "nodes-vs-goodput.png")).Length > 1000);
        Assert.NotEqual(0, CliProcess.Run(["sim", "search", .. flags, "--pd"]).ExitCode);
    }

    [Fact]
    public void SimChart_DrawsACsvsSeries_AndNamesAMissingColumn()
    {
        var csv = Path.Combine(_directory, "points.csv");
        File.WriteAllLines(csv, ["router,rate,hit", "a,1,0.5", "a,2,0.4", "b,1,0.9", "b,2,0.8"]);
        var png = Path.Combine(_directory, "points.png");

        var drawn = CliProcess.Run("sim", "chart", csv, "--x", "rate", "--y", "hit", "--series", "router", "-o", png);
        var missing = CliProcess.Run("sim", "chart", csv, "--x", "rate", "--y", "ttft", "-o", png);

        Assert.True(drawn.ExitCode == 0, drawn.Stderr);
        Assert.True(new FileInfo(png).Length > 1000);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no column 'ttft'", missing.Stderr);
    }

    [Fact]
    public void Sim_MissingProfile_IsAnError()
    {
        var result = CliProcess.Run("sim", "--profile", Path.Combine(_directory, "none.json"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error:", result.Stderr);
    }
}
