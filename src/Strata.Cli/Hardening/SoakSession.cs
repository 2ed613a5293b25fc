using System.Diagnostics;
using System.Globalization;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Hardening;

/// <summary>
/// A soak from start to end: a greedy completion and the metrics as a baseline, a warm-up, then every request with
/// <see cref="SoakSettings.Concurrency"/> in flight and a share of clients vanishing; then, once the server is idle, the
/// <see cref="ServerChecks"/> and a check that every request that stayed got a whole answer.
/// </summary>
internal static class SoakSession
{
    private static readonly TimeSpan StreamPatience = TimeSpan.FromSeconds(60);

    /// <returns>Whether every check held.</returns>
    public static async Task<bool> RunAsync(SoakSettings settings, TextWriter output, TextWriter log, CancellationToken cancellation)
    {
        using var client = new OpenAiClient(settings.Url, settings.ApiKey);
        var server = new Uri(settings.Url);
        var checks = await ServerChecks.StartAsync(client, settings.Url, settings.Model, cancellation);
        var model = checks.Model;
        var workload = new SoakWorkload(model, settings.Disconnect, new Random(settings.Seed));
        var runner = new Runner(client, server, settings.ApiKey);

        log.WriteLine($"Soaking '{model}' at {settings.Url}: {settings.Warmup} warm-up requests, then {settings.Requests} with {settings.Concurrency} in flight, {settings.Disconnect:P0} of clients leaving");
        var warmup = new SoakTally();
        await runner.RunAsync(Enumerable.Range(0, settings.Warmup).Select(_ => workload.Next()).ToList(), settings.Concurrency, warmup, log, cancellation);
        var warm = await checks.WaitForIdleAsync(cancellation);

        var tally = new SoakTally();
        var requests = Enumerable.Range(0, settings.Requests).Select(_ => workload.Next()).ToList();
        var start = Stopwatch.GetTimestamp();
        await runner.RunAsync(requests, settings.Concurrency, tally, log, cancellation);
        var duration = Stopwatch.GetElapsedTime(start);

        var verdict = new Verdict();
        verdict.Require(warmup.Problems + tally.Problems == 0, "every staying client answered whole", $"{warmup.Problems + tally.Problems} unexpected answers");
        var idle = await checks.CheckAsync(verdict, warm?["process_resident_memory_bytes"], settings.MaxMemoryGrowth, cancellation);

        output.WriteLine($"Soak of '{model}' at {settings.Url}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"requests",-34} {settings.Requests} ({settings.Concurrency} in flight) in {duration.TotalSeconds:F1} s: {settings.Requests / duration.TotalSeconds:F1} requests/s"));
        tally.Write(output);
        WriteStatuses(output, checks.Before, idle);
        verdict.Write(output);
        return !verdict.Failed;
    }

    /// <summary>The answers the server counted during the whole soak (warm-up included), by status.</summary>
    private static void WriteStatuses(TextWriter output, MetricSamples? before, MetricSamples? after)
    {
        if (after is null)
            return;
        var statuses = new[] { 200, 400, 404, 413, 499, 500, 503 };
        var counted = statuses
            .Select(status => (status, count: (after.RequestsWhere(s => s == status) ?? 0) - (before?.RequestsWhere(s => s == status) ?? 0)))
            .Where(s => s.count > 0)
            .Select(s => $"{s.status}: {s.count}");
        output.WriteLine($"{"server counted",-34} {string.Join(", ", counted)}");
    }

    /// <summary>Sends the requests, <c>concurrency</c> at a time.</summary>
    private sealed class Runner(OpenAiClient client, Uri server, string? apiKey)
    {
        public async Task RunAsync(IReadOnlyList<SoakRequest> requests, int concurrency, SoakTally tally, TextWriter log, CancellationToken cancellation)
        {
            var next = -1;
            var progress = new ProgressLog(log, requests.Count);
            await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, requests.Count)).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < requests.Count; i = Interlocked.Increment(ref next))
                {
                    var problem = await SendAsync(requests[i], tally, cancellation);
                    progress.Report(problem is null ? new RequestRecord() : RequestRecord.Failure(problem));
                }
            }, cancellation)));
        }

        private async Task<string?> SendAsync(SoakRequest request, SoakTally tally, CancellationToken cancellation)
        {
            if (request.Departure is { } departure)
            {
                try
                {
                    await LeaveAsync(request, departure, cancellation);
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    tally.AddProblem($"cannot connect: {ex.Message}");
                    return ex.Message;
                }
                tally.AddDeparture(departure);
                return null;
            }
            var problem = AnswerCheck.Problem(request, await client.PostAsync(request.Path, request.Body, cancellation));
            if (problem is null)
                tally.AddWhole();
            else
                tally.AddProblem(problem);
            return problem;
        }

        private async Task LeaveAsync(SoakRequest request, Departure departure, CancellationToken cancellation)
        {
            var headers = new List<string> { "Content-Type: application/json", $"Content-Length: {request.Body.Length}" };
            if (apiKey is not null)
                headers.Add($"Authorization: Bearer {apiKey}");
            var head = RawHttpConnection.Head(server, "POST", server.AbsolutePath.TrimEnd('/') + request.Path, [.. headers]);
            using var connection = await RawHttpConnection.ConnectAsync(server, cancellation);
            var sent = departure.Point == DeparturePoint.MidUpload ? Random.Shared.Next(request.Body.Length) : request.Body.Length;
            await connection.SendAsync(head.Concat(request.Body.Take(sent)).ToArray(), cancellation);
            switch (departure.Point)
            {
                case DeparturePoint.MidUpload:
                    await Task.Delay(Random.Shared.Next(10), cancellation);
                    break;
                case DeparturePoint.MidPrefill:
                    await Task.Delay(Random.Shared.Next(30), cancellation);
                    break;
                case DeparturePoint.MidStream:
                    await connection.ReadEventsAsync(Random.Shared.Next(1, 5), StreamPatience, cancellation);
                    break;
            }
            connection.Leave(departure.Reset);
        }
    }
}
