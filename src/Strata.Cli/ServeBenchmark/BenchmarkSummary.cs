namespace Strata.Cli.ServeBenchmark;

/// <summary>The aggregate result of a run: throughputs, latency distributions, goodput, prefix-cache hits, failures.</summary>
internal sealed record BenchmarkSummary
{
    private const int ErrorsShown = 5;

    public required TimeSpan Duration { get; init; }

    public required int Completed { get; init; }

    public required int Failed { get; init; }

    public required long TotalInputTokens { get; init; }

    public required long TotalOutputTokens { get; init; }

    public required double RequestThroughput { get; init; }

    public required double InputThroughput { get; init; }

    public required double OutputThroughput { get; init; }

    public double TotalTokenThroughput => InputThroughput + OutputThroughput;

    /// <summary>Requests per second that met every objective; null without <c>--goodput</c>.</summary>
    public required double? Goodput { get; init; }

    /// <summary>Mean prompt tokens served from the prefix cache; null when the server reported none of it.</summary>
    public required double? MeanCachedPromptTokens { get; init; }

    public required LatencyStats Ttft { get; init; }

    public required LatencyStats Tpot { get; init; }

    public required LatencyStats Itl { get; init; }

    public required LatencyStats E2e { get; init; }

    /// <summary>The most frequent failure messages, most frequent first.</summary>
    public required IReadOnlyList<ErrorTally> Errors { get; init; }

    public static BenchmarkSummary From(IReadOnlyList<RequestRecord> records, TimeSpan duration, GoodputSlo? slo)
    {
        var succeeded = records.Where(r => r.Succeeded).ToArray();
        var seconds = Math.Max(duration.TotalSeconds, double.Epsilon);
        long input = succeeded.Sum(r => (long)r.PromptTokens);
        long output = succeeded.Sum(r => (long)r.OutputTokens);
        var cached = succeeded.Where(r => r.CachedTokens is not null).Select(r => (double)r.CachedTokens!.Value).ToArray();
        return new BenchmarkSummary
        {
            Duration = duration,
            Completed = succeeded.Length,
            Failed = records.Count - succeeded.Length,
            TotalInputTokens = input,
            TotalOutputTokens = output,
            RequestThroughput = succeeded.Length / seconds,
            InputThroughput = input / seconds,
            OutputThroughput = output / seconds,
            Goodput = slo is null ? null : succeeded.Count(slo.IsMetBy) / seconds,
            MeanCachedPromptTokens = cached.Length == 0 ? null : cached.Average(),
            Ttft = LatencyStats.Of(succeeded.Select(r => r.TimeToFirstToken)),
            Tpot = LatencyStats.Of(succeeded.Select(r => r.TimePerOutputToken).OfType<TimeSpan>()),
            Itl = LatencyStats.OfMilliseconds(InterTokenMilliseconds(succeeded)),
            E2e = LatencyStats.Of(succeeded.Select(r => r.EndToEnd)),
            Errors = records.Where(r => !r.Succeeded)
                .GroupBy(r => r.Error!)
                .Select(g => new ErrorTally(g.Key, g.Count()))
                .OrderByDescending(e => e.Count)
                .Take(ErrorsShown)
                .ToArray(),
        };
    }

    /// <summary>
    /// Every gap of every request, gathered by plain loops into one array sized up front: a simulated hour has ~90 million,
    /// which a growing LINQ buffer copied several times over and enumerated through interfaces for seconds.
    /// </summary>
    private static double[] InterTokenMilliseconds(RequestRecord[] records)
    {
        var count = 0L;
        foreach (var record in records)
            count += record.InterTokenLatencies.Count;
        var ms = new double[count];
        var at = 0;
        foreach (var record in records)
        {
            var gaps = record.InterTokenLatencies;
            for (var i = 0; i < gaps.Count; i++)
                ms[at++] = gaps[i].TotalMilliseconds;
        }
        return ms;
    }
}
