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
/// requests on a simulated node with the fitted cost law. First one at a time: the median extra time to first token
/// is the time per request. Then several at once, so steps decode several streams: the median extra time per output
/// token, shared among the streams each step decodes, is the time per streamed token.
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
        var url = server.BaseAddress.ToString();

        var alone = await SendAsync(url, Sequential, maxConcurrency: 1, cancellation);
        var perRequest = alone.Select(r => r.TimeToFirstToken.TotalSeconds - Simulate(profile with { ServerOverhead = ServerOverhead.None }, [r])[0].TtftSeconds).ToList();
        var requestSeconds = Math.Max(0, Median(perRequest));

        var together = await SendAsync(url, Concurrent, maxConcurrency: null, cancellation);
        var simulated = Simulate(profile with { ServerOverhead = new ServerOverhead(requestSeconds, 0) }, together);
        var perToken = together.Select((r, i) => (r.TimePerOutputToken!.Value.TotalSeconds - Tpot(simulated[i])) / together.Count).ToList();

        log.WriteLine($"  server: {Sequential} requests of {PromptTokens} prompt + {OutputTokens} output tokens one at a time, TTFT {Format(perRequest)} ms over the cost law; "
            + $"{Concurrent} at once, TPOT over the law per stream {Format(perToken)} ms");
        // A law that overshoots leaves nothing for the server to add, never less than nothing.
        return new ServerOverhead(requestSeconds, Math.Max(0, Median(perToken)));
    }

    private static async Task<List<RequestRecord>> SendAsync(string url, int count, int? maxConcurrency, CancellationToken cancellation)
    {
        var settings = new ServeBenchmarkSettings
        {
            Url = url,
            Dataset = new RandomDataset(count, new LengthRange(PromptTokens, 0), new LengthRange(OutputTokens, 0)),
            MaxConcurrency = maxConcurrency,
            IgnoreEos = true,
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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(List<double> seconds) =>
        string.Join(" ", seconds.Select(s => (s * 1e3).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)));
}
