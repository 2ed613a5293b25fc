using System.Diagnostics;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Sends requests at their scheduled times, never more than <c>maxConcurrency</c> in flight. Arrivals follow the
/// schedule regardless of how the server keeps up (an open loop); a request that finds no free slot waits for one,
/// and its latencies are measured from when it actually goes out.
/// </summary>
internal static class BenchmarkRunner
{
    public static async Task<BenchmarkRun> RunAsync(
        OpenAiClient client,
        RequestSettings settings,
        IReadOnlyList<BenchmarkRequest> requests,
        IReadOnlyList<TimeSpan> sendTimes,
        int? maxConcurrency,
        Action<RequestRecord> onFinished,
        CancellationToken cancellation)
    {
        if (sendTimes.Count != requests.Count)
            throw new ArgumentException("one send time per request", nameof(sendTimes));
        if (maxConcurrency is < 1)
            throw new ArgumentOutOfRangeException(nameof(maxConcurrency), maxConcurrency, "at least one request must be allowed in flight");
        // Not disposed: a SemaphoreSlim holds nothing to release unless its wait handle is used, and requests still
        // finishing after a cancellation must be able to release their slot.
        var slots = maxConcurrency is { } limit ? new SemaphoreSlim(limit) : null;
        var start = Stopwatch.GetTimestamp();
        var running = new Task<RequestRecord>[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            // Task.Delay's timer ticks in milliseconds and may wake a little before the stopwatch says: wait again until it is time.
            for (var wait = sendTimes[i] - Stopwatch.GetElapsedTime(start); wait > TimeSpan.Zero; wait = sendTimes[i] - Stopwatch.GetElapsedTime(start))
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, cancellation);
            // Off the arrival loop: building a request (and, for the first ones, JIT-compiling the HTTP stack) must
            // not delay the arrivals after it.
            var request = requests[i];
            running[i] = Task.Run(() => SendAsync(request), cancellation);
        }
        var records = await Task.WhenAll(running);
        return new BenchmarkRun(records, Stopwatch.GetElapsedTime(start));

        async Task<RequestRecord> SendAsync(BenchmarkRequest request)
        {
            if (slots is not null)
                await slots.WaitAsync(cancellation);
            try
            {
                var sentAt = Stopwatch.GetElapsedTime(start);
                var record = await client.StreamAsync(settings, request, cancellation) with { SentAt = sentAt, Tier = request.Tier };
                onFinished(record);
                return record;
            }
            finally
            {
                slots?.Release();
            }
        }
    }
}
