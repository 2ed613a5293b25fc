using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class BenchmarkSummaryTests
{
    [Fact]
    public void From_MixedRecords_CountsThroughputsAndLatencies()
    {
        RequestRecord[] records =
        [
            Success(prompt: 100, output: 11, ttftMs: 100, e2eMs: 600, cached: 64, itlMs: [50, 50]),
            Success(prompt: 300, output: 21, ttftMs: 300, e2eMs: 1300, cached: null, itlMs: [40]),
            RequestRecord.Failure("HTTP 503: overloaded"),
            RequestRecord.Failure("the stream ended before data: [DONE]"),
            RequestRecord.Failure("HTTP 503: overloaded"),
        ];

        var summary = BenchmarkSummary.From(records, TimeSpan.FromSeconds(2), new GoodputSlo(200, null, null));

        Assert.Equal(2, summary.Completed);
        Assert.Equal(3, summary.Failed);
        Assert.Equal(400, summary.TotalInputTokens);
        Assert.Equal(32, summary.TotalOutputTokens);
        Assert.Equal(1, summary.RequestThroughput, 9);
        Assert.Equal(200, summary.InputThroughput, 9);
        Assert.Equal(16, summary.OutputThroughput, 9);
        Assert.Equal(216, summary.TotalTokenThroughput, 9);
        Assert.Equal(0.5, summary.Goodput!.Value, 9);
        Assert.Equal(64, summary.MeanCachedPromptTokens!.Value, 9);
        Assert.Equal(200, summary.Ttft.Mean, 9);
        Assert.Equal(50, summary.Tpot.Mean, 9);
        Assert.Equal(140.0 / 3, summary.Itl.Mean, 9);
        Assert.Equal(950, summary.E2e.Mean, 9);
        Assert.Equal([new ErrorTally("HTTP 503: overloaded", 2), new ErrorTally("the stream ended before data: [DONE]", 1)], summary.Errors);
    }

    [Fact]
    public void From_NoGoodputOrCacheReports_LeavesThemNull()
    {
        var summary = BenchmarkSummary.From([Success(10, 5, 10, 50, null, [])], TimeSpan.FromSeconds(1), slo: null);

        Assert.Null(summary.Goodput);
        Assert.Null(summary.MeanCachedPromptTokens);
    }

    [Fact]
    public void From_AllFailed_ZeroLatenciesAndErrorsListed()
    {
        var summary = BenchmarkSummary.From([RequestRecord.Failure("Connection refused")], TimeSpan.FromSeconds(1), null);

        Assert.Equal(0, summary.Completed);
        Assert.Equal(new LatencyStats(0, 0, 0, 0), summary.Ttft);
        Assert.Equal("Connection refused", Assert.Single(summary.Errors).Message);
    }

    private static RequestRecord Success(int prompt, int output, double ttftMs, double e2eMs, int? cached, double[] itlMs) => new()
    {
        PromptTokens = prompt,
        OutputTokens = output,
        CachedTokens = cached,
        TimeToFirstToken = TimeSpan.FromMilliseconds(ttftMs),
        EndToEnd = TimeSpan.FromMilliseconds(e2eMs),
        InterTokenLatencies = itlMs.Select(TimeSpan.FromMilliseconds).ToArray(),
    };
}
