using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Hardening;

/// <summary>
/// A fuzz run from start to end: a baseline, a few connections left open and idle for the whole run, then every
/// generated case (<see cref="FuzzCaseGenerator"/>) judged as it is answered (<see cref="FuzzJudge"/>), with a
/// <c>/health</c> probe every few hundred cases and resident memory taken after the first half; then, once the server
/// is idle, the <see cref="ServerChecks"/>.
/// </summary>
internal static class FuzzSession
{
    private const int IdleConnections = 16;
    private const int HealthEvery = 250;

    // Resident memory is measured over the second half of the cases: in the first, the heap grows to its working size
    // for bodies of up to the largest allowed (a plateau, not a leak, that takes a couple of thousand cases to reach).
    private const int WarmupShare = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan HalfClosePatience = TimeSpan.FromSeconds(10);

    /// <returns>Whether every check held.</returns>
    public static async Task<bool> RunAsync(FuzzSettings settings, TextWriter output, TextWriter log, CancellationToken cancellation)
    {
        using var client = new OpenAiClient(settings.Url, settings.ApiKey);
        var server = new Uri(settings.Url);
        var checks = await ServerChecks.StartAsync(client, settings.Url, settings.Model, cancellation);
        var model = checks.Model;
        var generator = new FuzzCaseGenerator(server, model, settings.ApiKey, new Random(settings.Seed));
        var tally = new FuzzTally();
        var verdict = new Verdict();
        log.WriteLine($"Fuzzing '{model}' at {settings.Url}: {settings.Cases} cases, {settings.Concurrency} at a time, seed {settings.Seed}");

        var idle = await OpenIdleConnectionsAsync(server, cancellation);
        var start = Stopwatch.GetTimestamp();
        double? warm = null;
        try
        {
            var warmup = settings.Cases / WarmupShare;
            var healthy = await RunCasesAsync(server, client, generator, warmup, settings.Concurrency, tally, log, cancellation);
            warm = (await checks.WaitForIdleAsync(cancellation))?["process_resident_memory_bytes"];
            healthy = healthy && await RunCasesAsync(server, client, generator, settings.Cases - warmup, settings.Concurrency, tally, log, cancellation);
            verdict.Require(healthy, "server kept answering", healthy ? $"/health answered every {HealthEvery} cases" : $"/health failed after {tally.Cases} cases");
        }
        finally
        {
            foreach (var connection in idle)
                connection.Dispose();
        }
        var duration = Stopwatch.GetElapsedTime(start);

        verdict.Require(tally.ServerErrors == 0, "no 5xx answers", $"{tally.ServerErrors} cases answered 5xx");
        verdict.Require(tally.ErrorBodies == tally.ClientErrors, "OpenAI error body on every 4xx", $"{tally.ErrorBodies} of {tally.ClientErrors}");
        verdict.Require(tally.FieldsNamed == tally.FieldChecks, "4xx names the invalid field", $"{tally.FieldsNamed} of {tally.FieldChecks}");
        verdict.Require(tally.Unanswered == 0, "every whole request answered", $"{tally.Unanswered} went unanswered");
        verdict.Require(tally.Violations == 0, "no violations", $"{tally.Violations} in {tally.Cases} cases");
        await checks.CheckAsync(verdict, warm, settings.MaxMemoryGrowth, cancellation);

        output.WriteLine($"Fuzz of '{model}' at {settings.Url}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"cases",-34} {tally.Cases} (seed {settings.Seed}, {settings.Concurrency} at a time) in {duration.TotalSeconds:F1} s: {tally.Cases / duration.TotalSeconds:F1} cases/s"));
        tally.Write(output);
        verdict.Write(output);
        return !verdict.Failed;
    }

    /// <summary>Runs <paramref name="count"/> cases, <paramref name="concurrency"/> at a time; false if the server stopped answering /health.</summary>
    private static async Task<bool> RunCasesAsync(Uri server, OpenAiClient client, FuzzCaseGenerator generator, int count, int concurrency,
        FuzzTally tally, TextWriter log, CancellationToken cancellation)
    {
        var taken = 0;
        var healthy = true;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref healthy))
            {
                FuzzCase fuzzCase;
                lock (generator)
                {
                    if (taken == count)
                        return;
                    taken++;
                    fuzzCase = generator.Next();
                }
                var answer = await ExecuteAsync(server, fuzzCase, cancellation);
                tally.Add(fuzzCase, answer, FuzzJudge.Judge(fuzzCase, answer));
                if (tally.Cases % HealthEvery == 0 && !await HealthyAsync(client, log, tally.Cases, cancellation))
                    Volatile.Write(ref healthy, false);
            }
        }, cancellation)));
        return healthy;
    }

    private static async Task<RawHttpResponse?> ExecuteAsync(Uri server, FuzzCase fuzzCase, CancellationToken cancellation)
    {
        using var connection = await RawHttpConnection.ConnectAsync(server, cancellation);
        try
        {
            for (var i = 0; i < fuzzCase.Pieces.Count; i++)
            {
                if (i > 0)
                    await Task.Delay(fuzzCase.Gap, cancellation);
                await connection.SendAsync(fuzzCase.Pieces[i], cancellation);
            }
        }
        catch (SocketException)
        {
            // The server may refuse a request before it has all been sent (a head too large); its answer is still there to read.
        }
        switch (fuzzCase.Ending)
        {
            case FuzzEnding.Answer:
                return await connection.ReadResponseAsync(Patience, cancellation);
            case FuzzEnding.HalfClose:
                await Task.Delay(fuzzCase.Gap, cancellation);
                connection.ShutdownSend();
                return await connection.ReadResponseAsync(HalfClosePatience, cancellation);
            default:
                await Task.Delay(fuzzCase.Gap, cancellation);
                connection.Leave(reset: fuzzCase.Ending == FuzzEnding.Reset);
                return null;
        }
    }

    /// <summary>Connections that stay open all run: half of them silent, half with a request head never finished.</summary>
    private static async Task<List<RawHttpConnection>> OpenIdleConnectionsAsync(Uri server, CancellationToken cancellation)
    {
        var connections = new List<RawHttpConnection>();
        for (var i = 0; i < IdleConnections; i++)
        {
            var connection = await RawHttpConnection.ConnectAsync(server, cancellation);
            if (i % 2 == 1)
                await connection.SendAsync("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-"u8.ToArray(), cancellation);
            connections.Add(connection);
        }
        return connections;
    }

    private static async Task<bool> HealthyAsync(OpenAiClient client, TextWriter log, int cases, CancellationToken cancellation)
    {
        var health = await client.GetAsync("/health", cancellation);
        log.WriteLine($"  {cases} cases: /health {health.Status?.ToString(CultureInfo.InvariantCulture) ?? health.TransportError}");
        return health.Status == 200;
    }
}
