using Strata.Cli.Hardening;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.Hardening;

/// <summary>Each way a server can be left broken after a run fails its own check, and a whole server passes them all.</summary>
public sealed class ServerChecksTests
{
    private const string Whole = """
        strata_requests_total{status="200"} 10
        strata_kv_blocks_used 0
        strata_sequences_running 0
        strata_sequences_waiting 0
        strata_sequences_running_peak 8
        strata_sequences_max 8
        strata_kv_integrity_ok 1
        process_resident_memory_bytes 100000000
        """;

    [Fact]
    public async Task CheckAsync_WholeServer_EveryCheckPasses()
    {
        var (verdict, output) = await CheckAfterAsync(_ => { });

        Assert.False(verdict.Failed, output);
        Assert.DoesNotContain("skipped", output);
    }

    [Theory]
    [InlineData("strata_kv_blocks_used 0", "strata_kv_blocks_used 3", "KV blocks returned")]
    [InlineData("strata_kv_integrity_ok 1", "strata_kv_integrity_ok 0", "KV integrity")]
    [InlineData("strata_requests_total{status=\"200\"} 10", "strata_requests_total{status=\"200\"} 10\nstrata_requests_total{status=\"500\"} 1", "no server errors counted")]
    [InlineData("strata_sequences_running_peak 8", "strata_sequences_running_peak 9", "running sequences within the cap")]
    [InlineData("process_resident_memory_bytes 100000000", "process_resident_memory_bytes 200000000", "resident memory growth")]
    public async Task CheckAsync_ServerLeftBroken_ThatCheckFails(string before, string after, string check)
    {
        var (verdict, output) = await CheckAfterAsync(server => server.Metrics = Whole.Replace(before, after, StringComparison.Ordinal));

        Assert.True(verdict.Failed);
        Assert.Matches($@"(?m)^FAIL\s+{System.Text.RegularExpressions.Regex.Escape(check)}", output);
    }

    [Fact]
    public async Task CheckAsync_OtherGreedyTextOrNoHealth_Fails()
    {
        var (_, text) = await CheckAfterAsync(server => server.GreedyText = ", there was a little boy");
        var (_, health) = await CheckAfterAsync(server => server.HealthStatus = 503);

        Assert.Matches(@"(?m)^FAIL\s+same greedy text as before", text);
        Assert.Matches(@"(?m)^FAIL\s+/health", health);
    }

    [Fact]
    public async Task CheckAsync_NoMetrics_ChecksSkippedNotFailed()
    {
        var (verdict, output) = await CheckAfterAsync(server => server.Metrics = "", before: "");

        Assert.False(verdict.Failed, output);
        Assert.Matches(@"(?m)^skipped\s+KV blocks returned", output);
    }

    private static async Task<(Verdict Verdict, string Output)> CheckAfterAsync(Action<FakeServerState> breakIt, string before = Whole)
    {
        await using var server = new FakeServerState { Metrics = before };
        using var client = new OpenAiClient(server.Url, null);
        var checks = await ServerChecks.StartAsync(client, server.Url, null, default);
        breakIt(server);

        var verdict = new Verdict();
        await checks.CheckAsync(verdict, null, 64L << 20, default);

        var output = new StringWriter();
        verdict.Write(output);
        return (verdict, output.ToString());
    }
}
