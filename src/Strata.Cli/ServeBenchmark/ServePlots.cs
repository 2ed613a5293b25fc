using Strata.Plots;

namespace Strata.Cli.ServeBenchmark;

/// <summary>The charts of <c>strata bench serve --plot DIR</c>: TTFT and inter-token latency CDFs, output tokens per second over the run.</summary>
internal static class ServePlots
{
    public static IReadOnlyList<string> Write(string directory, BenchmarkOutcome outcome)
    {
        var succeeded = outcome.Run.Records.Where(r => r.Succeeded).ToList();
        var files = new[] { "ttft-cdf.png", "itl-cdf.png", "throughput.png" }.Select(name => Path.Combine(directory, name)).ToArray();
        Chart.Cdf(files[0], $"Time to first token, {succeeded.Count} requests", "seconds",
            [("TTFT", succeeded.Select(r => r.TimeToFirstToken.TotalSeconds).ToArray())]);
        Chart.Cdf(files[1], "Inter-token latency", "milliseconds",
        [
            ("between streamed chunks", succeeded.SelectMany(r => r.InterTokenLatencies).Select(gap => gap.TotalMilliseconds).ToArray()),
            ("time per output token (per request)", succeeded.Where(r => r.TimePerOutputToken is not null).Select(r => r.TimePerOutputToken!.Value.TotalMilliseconds).ToArray()),
        ]);
        var (seconds, tokensPerSecond) = Throughput(succeeded, outcome.Run.Duration);
        Chart.Lines(files[2], "Output throughput", "seconds into the run", "output tokens/s (1 s bins)", [("output tokens/s", seconds, tokensPerSecond)]);
        return files;
    }

    /// <summary>
    /// Output tokens per one-second bin. A streamed chunk may carry several tokens, so each request's tokens are
    /// spread evenly over its chunks, which arrive at its first token and then after each inter-token gap.
    /// </summary>
    private static (double[] Seconds, double[] TokensPerSecond) Throughput(IReadOnlyList<RequestRecord> records, TimeSpan duration)
    {
        var bins = new double[Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds))];
        foreach (var record in records.Where(r => r.OutputTokens > 0))
        {
            var chunks = record.InterTokenLatencies.Count + 1;
            var perChunk = (double)record.OutputTokens / chunks;
            var at = record.SentAt + record.TimeToFirstToken;
            Add(at);
            foreach (var gap in record.InterTokenLatencies)
                Add(at += gap);

            void Add(TimeSpan time) => bins[Math.Clamp((int)time.TotalSeconds, 0, bins.Length - 1)] += perChunk;
        }
        return (Enumerable.Range(0, bins.Length).Select(i => i + 0.5).ToArray(), bins);
    }
}
