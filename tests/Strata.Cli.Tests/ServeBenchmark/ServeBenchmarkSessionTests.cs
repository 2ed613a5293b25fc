using System.Text.Json;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class ServeBenchmarkSessionTests
{
    private static readonly TimeSpan FirstTokenDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan TokenDelay = TimeSpan.FromMilliseconds(60);
    private const int Tokens = 10;

    // The client measures from before it sends, so its latencies are at least what the server waited; the slack
    // above covers a loaded machine (two cores shared with builds).
    private const double SlackMs = 300;

    // Timers may fire a fraction of a millisecond early.
    private const double EarlyMs = 2;

    [Fact]
    public async Task Run_KnownDelays_TtftTpotItlAndE2eComeOutRight()
    {
        await using var server = new FakeOpenAiServer(FirstTokenDelay, TokenDelay);

        var outcome = await Run(Settings(server.Url, new RandomDataset(6, new LengthRange(40, 0), new LengthRange(Tokens, 0))) with { MaxConcurrency = 3 });

        var s = outcome.Summary;
        Assert.Equal(FakeOpenAiServer.ModelName, outcome.Model);
        Assert.Equal(6, s.Completed);
        Assert.Equal(0, s.Failed);
        Assert.Equal(6 * Tokens, s.TotalOutputTokens);
        // The fake server counts a word as a token plus one for BOS; calibration learns exactly that.
        Assert.Equal(new TokenEstimate(1, 1), outcome.Estimate);
        Assert.Equal(6 * 40, s.TotalInputTokens);
        Assert.Equal(FakeOpenAiServer.CachedTokens, s.MeanCachedPromptTokens);
        // Lower bounds are exact (the client times from before it sends); upper bounds only have to tell the metrics
        // apart (TTFT from E2E, a gap from the first-token delay), so a loaded machine cannot break them.
        var e2e = FirstTokenDelay + (Tokens - 1) * TokenDelay;
        Assert.InRange(s.Ttft.P50, FirstTokenDelay.TotalMilliseconds - EarlyMs, FirstTokenDelay.TotalMilliseconds + SlackMs);
        Assert.InRange(s.Tpot.P50, TokenDelay.TotalMilliseconds - EarlyMs, 2.5 * TokenDelay.TotalMilliseconds);
        Assert.InRange(s.Itl.P50, TokenDelay.TotalMilliseconds - EarlyMs, 2.5 * TokenDelay.TotalMilliseconds);
        Assert.InRange(s.E2e.P50, e2e.TotalMilliseconds - EarlyMs, e2e.TotalMilliseconds + 2 * SlackMs);
        Assert.All(outcome.Run.Records, r => Assert.Equal(Tokens - 1, r.InterTokenLatencies.Count));
        Assert.True(server.PeakInFlight <= 3, $"{server.PeakInFlight} requests in flight with --max-concurrency 3");
        Assert.Equal(6 / s.Duration.TotalSeconds, s.RequestThroughput, 6);
    }

    [Fact]
    public async Task Run_InjectedFailures_CountedWithTheirMessages()
    {
        await using var server = new FakeOpenAiServer(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2), failEvery: 3);

        var outcome = await Run(Settings(server.Url, new RandomDataset(9, new LengthRange(20, 0), new LengthRange(4, 0))));

        var s = outcome.Summary;
        Assert.Equal(6, s.Completed);
        Assert.Equal(3, s.Failed);
        Assert.Equal(24, s.TotalOutputTokens);
        Assert.Equal(2, s.Errors.Count);
        Assert.Contains(s.Errors, e => e is { Message: "HTTP 500: injected failure", Count: 2 });
        // The cut-off stream reads as a truncated body or as a stream without its end marker, depending on where
        // the connection drops; either way it is one failure.
        Assert.Contains(s.Errors, e => e.Count == 1
            && (e.Message.Contains("ended prematurely", StringComparison.Ordinal) || e.Message == "the stream ended before data: [DONE]"));
    }

    [Fact]
    public async Task Run_ChatSharedPrefix_SystemAndQuestionReachTheServer()
    {
        await using var server = new FakeOpenAiServer(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2));
        var settings = Settings(server.Url, new SharedPrefixDataset(2, 30, 3, 5, 4)) with { Endpoint = ApiEndpoint.ChatCompletions, Model = FakeOpenAiServer.ModelName };

        var outcome = await Run(settings);

        Assert.Equal(6, outcome.Summary.Completed);
        // The opening chunk with only the assistant role carries no text and does not count as the first token.
        Assert.All(outcome.Run.Records, r => Assert.Equal(3, r.InterTokenLatencies.Count));
        Assert.Equal(6 * 35, outcome.Summary.TotalInputTokens);
    }

    [Fact]
    public async Task Run_RequestRate_SendsOnSchedule()
    {
        await using var server = new FakeOpenAiServer(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
        using var client = new OpenAiClient(server.Url, apiKey: null);
        var settings = new RequestSettings { Endpoint = ApiEndpoint.Completions, Model = FakeOpenAiServer.ModelName };
        var requests = Enumerable.Repeat(new BenchmarkRequest(null, "once upon a time", 5, 2), 3).ToArray();
        TimeSpan[] schedule = [TimeSpan.Zero, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)];
        // As the session's calibration does, a first request compiles the HTTP stack before timing matters.
        Assert.True((await client.StreamAsync(settings, requests[0], CancellationToken.None)).Succeeded);

        var run = await BenchmarkRunner.RunAsync(client, settings, requests, schedule, maxConcurrency: null, _ => { }, CancellationToken.None);

        // Never early; how late a send may be depends on the machine's load, so only a hang-sized bound is checked.
        var early = TimeSpan.FromMilliseconds(EarlyMs);
        for (var i = 0; i < schedule.Length; i++)
            Assert.InRange(run.Records[i].SentAt, schedule[i] - early, schedule[i] + TimeSpan.FromSeconds(10));
        Assert.True(run.Duration >= schedule[^1] - early);
    }

    [Fact]
    public async Task Run_NothingListening_ThrowsCannotReach()
    {
        var url = $"http://127.0.0.1:{FakeOpenAiServer.FreePort()}";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Run(Settings(url, new RandomDataset(1, new LengthRange(5, 0), new LengthRange(2, 0)))));

        Assert.StartsWith($"cannot reach {url}/v1/models", error.Message);
    }

    [Fact]
    public async Task Run_UnknownModel_TestRequestFailsBeforeTheRun()
    {
        await using var server = new FakeOpenAiServer(TimeSpan.Zero, TimeSpan.Zero);
        var settings = Settings(server.Url, new RandomDataset(1, new LengthRange(5, 0), new LengthRange(2, 0))) with { Model = "no-such-model" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Run(settings));

        Assert.Equal($"test request to {server.Url}/v1/completions failed: HTTP 404: model not found", error.Message);
    }

    [Fact]
    public async Task Reports_TableAndJson_CarryTheSummaryAndEveryRequest()
    {
        await using var server = new FakeOpenAiServer(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2), failEvery: 4);
        var settings = Settings(server.Url, new RandomDataset(4, new LengthRange(10, 0), new LengthRange(3, 0))) with
        {
            RequestRate = 100,
            Goodput = new GoodputSlo(10_000, null, null),
        };
        var outcome = await Run(settings);

        var table = new StringWriter();
        TableReport.Write(table, outcome);
        using var json = new MemoryStream();
        JsonReport.Write(json, settings, outcome);

        Assert.Contains("Successful requests:                     3\n", table.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("     1 × HTTP 500: injected failure", table.ToString());
        var root = JsonDocument.Parse(json.ToArray()).RootElement;
        Assert.Equal(3, root.GetProperty("completed").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.Equal(100, root.GetProperty("request_rate").GetDouble());
        Assert.Equal("random", root.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal(outcome.Summary.Goodput, root.GetProperty("request_goodput").GetDouble());
        Assert.Equal(outcome.Summary.Ttft.P90, root.GetProperty("ttft_ms").GetProperty("p90").GetDouble());
        var requests = root.GetProperty("requests").EnumerateArray().ToArray();
        Assert.Equal(4, requests.Length);
        Assert.Equal(1, requests.Count(r => r.TryGetProperty("error", out _)));
        Assert.All(requests.Where(r => !r.TryGetProperty("error", out _)), r => Assert.Equal(2, r.GetProperty("itl_ms").GetArrayLength()));
    }

    private static ServeBenchmarkSettings Settings(string url, BenchmarkDataset dataset) => new()
    {
        Url = url,
        Dataset = dataset,
        IgnoreEos = true,
    };

    private static Task<BenchmarkOutcome> Run(ServeBenchmarkSettings settings) =>
        ServeBenchmarkSession.RunAsync(settings, TextWriter.Null, CancellationToken.None);
}
