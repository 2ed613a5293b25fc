using System.Text.Json;
using Strata.TestSupport;

namespace Strata.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public void Bench_Speculative_AddsAnEngineDecodeRowWithoutAndWithEachMethod()
    {
        var json = Path.Combine(Path.GetTempPath(), $"strata-bench-{Guid.NewGuid():N}.json");
        try
        {
            var result = CliProcess.Run("bench", "-m", SharedData.Model("tinyllamas-stories-260k-f32.gguf"), "-t", "1",
                "-p", "8", "-n", "24", "-d", "0", "-b", "1", "-r", "1", "--speculative", "ngram,suffix", "--json", json);

            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains("engine decode, suffix", result.Stdout);
            var rows = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("speculation").EnumerateArray().ToList();
            Assert.Equal(["off", "ngram", "suffix"], rows.Select(r => r.GetProperty("method").GetString()));
            Assert.All(rows, r => Assert.True(r.GetProperty("decode_tok_s").GetDouble() > 0));
            Assert.Equal(0, rows[0].GetProperty("draft_tokens").GetInt64());
            Assert.All(rows, r => Assert.InRange(r.GetProperty("accepted_tokens").GetInt64(), 0, r.GetProperty("draft_tokens").GetInt64()));
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void Bench_Decode_ProbesTheRoofBeforeAndAfterEvery32TimedSteps()
    {
        var json = Path.Combine(Path.GetTempPath(), $"strata-bench-{Guid.NewGuid():N}.json");
        try
        {
            var result = CliProcess.Run("bench", "-m", SharedData.Model("tinyllamas-stories-260k-f32.gguf"), "-t", "1",
                "-p", "8", "-n", "40", "-d", "8", "-b", "1", "-r", "2", "--json", json);

            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains("probed before and after every 32 timed decode steps", result.Stdout);
            var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
            foreach (var name in new[] { "decode_roof_probes_gb_s", "decode_depth_roof_probes_gb_s" })
            {
                var probes = report.GetProperty(name).EnumerateArray().Select(p => p.GetDouble()).ToList();
                Assert.Equal(5, probes.Count); // two runs of 32 + 8 steps: a probe before the first segment and after each
                Assert.All(probes, p => Assert.True(p > 0));
            }
            var decodeProbes = report.GetProperty("decode_roof_probes_gb_s").EnumerateArray().Select(p => p.GetDouble()).ToList();
            Assert.InRange(report.GetProperty("decode_roof_gb_s").GetDouble(), decodeProbes.Min(), decodeProbes.Max());
            Assert.True(report.GetProperty("decode_roofline_fraction").GetDouble() > 0);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void Bench_UnknownSpeculativeMethod_FailsBeforeMeasuring()
    {
        var result = CliProcess.Run("bench", "-m", SharedData.Model("tinyllamas-stories-260k-f32.gguf"), "--speculative", "ngram,draft");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error: --speculative takes ngram and suffix, got 'draft'", result.Stderr);
        Assert.DoesNotContain("bench: memory bandwidth", result.Stderr);
    }
}
