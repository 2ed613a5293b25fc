using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Cli.ServeBenchmark;
using Strata.Engine;
using Strata.Server;
using Strata.Simulation;
using Strata.Simulation.Routing;

namespace Strata.Cli.Commands;

/// <summary>
/// Measures what the server adds to the engine's steps: bench serve's random requests go through a real server on
/// this machine (in process, on a free port, streamed by bench serve's own client), and each is compared with the same
/// requests on a simulated node with the fitted cost law. One at a time, a request's extra time per output token over
/// the law is the server's time per step plus one streamed token's; four at once, per step plus four streams'. The two
/// give the time per step and per streamed token; then, with those in the law, the median extra time to first token
/// of the lone requests is the time per request.
/// </summary>
internal static class ServerOverheadProbe
{
    private const int Sequential = 8;
    private const int Concurrent = 4;
    private const int PromptTokens = 128;
    private const int OutputTokens = 32;

    /// <param name="kvCacheBytes">The server's KV memory; null for serve's default.</param>
    public static async Task<ServerOverhead> MeasureAsync(string modelPath, StepProfile profile, long? kvCacheBytes, TextWriter log, CancellationToken cancellation)
    {
        using var served = ServedModel.Load(modelPath, null, new EngineOptions { Threads = profile.Threads }, kvCacheBytes, NullLoggerFactory.Instance, static _ => { });
        await using var server = await StrataServer.StartAsync(served.Engine, new ServerOptions { Port = 0, LogLevel = LogLevel.Error }, cancellation);
        return await MeasureAsync(server.BaseAddress.ToString(), profile, log, cancellation);
    }

    /// <summary>Measures through a running <c>strata serve</c> of the profile's model and threads, as it serves (its own process, telemetry and logs).</summary>
    public static async Task<ServerOverhead> MeasureAsync(string url, StepProfile profile, TextWriter log, CancellationToken cancellation)
    {
        var engineOnly = profile with { ServerOverhead = ServerOverhead.None };

        // Warmed first, as a validation warms its server (the first requests run the server's paths through the JIT),
        // and every phase with prompts of its own seed: a prompt served before would be a prefix-cache hit.
        await SendAsync(url, Sequential, maxConcurrency: Concurrent, seed: 1, cancellation);
        var alone = await SendAsync(url, Sequential, maxConcurrency: 1, seed: 2, cancellation);
        var aloneExtra = Percentile.Of([.. alone.Select(r => r.TimePerOutputToken!.Value.TotalSeconds - Tpot(Simulate(engineOnly, [r])[0]))], 50);
        var together = await SendAsync(url, Concurrent, maxConcurrency: null, seed: 3, cancellation);
        var simulated = Simulate(engineOnly, together);
        var togetherExtra = Percentile.Of([.. together.Select((r, i) => r.TimePerOutputToken!.Value.TotalSeconds - Tpot(simulated[i]))], 50);
        // alone = step + token, together = step + 4 tokens. A law that overshoots leaves nothing for the server to add, never less than nothing.
        var tokenSeconds = Math.Max(0, (togetherExtra - aloneExtra) / (Concurrent - 1));
        var stepSeconds = Math.Max(0, aloneExtra - tokenSeconds);

        var withSteps = profile with { ServerOverhead = new ServerOverhead(0, tokenSeconds, stepSeconds) };
        var perRequest = alone.Select(r => r.TimeToFirstToken.TotalSeconds - Simulate(withSteps, [r])[0].TtftSeconds).ToList();
        var requestSeconds = Math.Max(0, Percentile.Of([.. perRequest], 50));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server: {Sequential} requests of {PromptTokens} prompt + {OutputTokens} output tokens one at a time, TPOT {aloneExtra * 1e3:F2} ms over the law; "
            + $"{Concurrent} at once, {togetherExtra * 1e3:F2} ms; so {stepSeconds * 1e3:F2} ms/step + {tokenSeconds * 1e3:F2} ms/streamed token; TTFT over that {Format(perRequest)} ms"));
        return new ServerOverhead(requestSeconds, tokenSeconds, stepSeconds);
    }

    private static async Task<List<RequestRecord>> SendAsync(string url, int count, int? maxConcurrency, int seed, CancellationToken cancellation)
    {
        var settings = new ServeBenchmarkSettings
        {
            Url = url,
            Dataset = new RandomDataset(count, new LengthRange(PromptTokens, 0), new LengthRange(OutputTokens, 0)),
            MaxConcurrency = maxConcurrency,
            IgnoreEos = true,
            Seed = seed,
        };
        var outcome = await ServeBenchmarkSession.RunAsync(settings, TextWriter.Null, cancellation);
        var measured = outcome.Run.Records.Where(r => r.Succeeded && r.OutputTokens > 1).ToList();
        if (measured.Count < count)
            throw new InvalidOperationException($"{count - measured.Count} of {count} requests through the server failed, so its overhead could not be measured");
        return measured;
    }

    /// <summary>The requests on one simulated node, all arriving at once (one alone is just itself).</summary>
    private static IReadOnlyList<RequestOutcome> Simulate(StepProfile profile, IReadOnlyList<RequestRecord> requests)
    {
        var prompts = requests.Select((r, i) => new SimRequest(0, [.. Enumerable.Range(1 + i * r.PromptTokens, r.PromptTokens)], r.OutputTokens));
        return new ClusterSimulation(profile, new ClusterSettings(1, RouterPolicy.RoundRobin, NodeSettings.From(profile))).Run(prompts).Outcomes;
    }

    private static double Tpot(RequestOutcome outcome) => (outcome.EndToEndSeconds - outcome.TtftSeconds) / (outcome.OutputTokens - 1);

    private static string Format(List<double> seconds) =>
        string.Join(" ", seconds.Select(s => (s * 1e3).ToString("F1", CultureInfo.InvariantCulture)));
}
