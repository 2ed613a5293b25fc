using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Cli.ServeBenchmark;
using Strata.Engine;
using Strata.Server;
using Strata.Simulation;
using Strata.Simulation.Profiling;
using Strata.Simulation.Routing;

namespace Strata.Cli.Commands;

/// <summary>
/// Measures what the server adds to the engine's steps: bench serve's requests go through a real server on this
/// machine (in process, on a free port, or a running one), streamed by bench serve's own client, and each is compared
/// with the same requests on a simulated node with the fitted cost law. Random requests in waves of 1, 2 and 4 at once:
/// a request's time per output token over the law is the server's time per step plus one streamed token per stream
/// (<see cref="ServerOverheadFit.PerStepAndToken"/>). Then, with those in the law, the time to first token over the law
/// of lone prompts that hit a cached prefix of two lengths (256 and 768 tokens on a model of 1,536 positions or more)
/// gives the time per prompt token (<see cref="ServerOverheadFit.PerPromptToken"/>), and that of the shorter one, less
/// its tokens' time, the time per request: a hit computes one short chunk, so the law's error on it is small, where a
/// fresh random prompt's two 64-token chunks carry the law's error and the machine's noise on ~600 ms (their excess
/// spread −90 to +1,050 ms in one probe, the hits' −0 to +52 ms).
/// </summary>
internal static class ServerOverheadProbe
{
    private static readonly int[] Streams = [1, 2, 4];
    private const int RequestsPerStreams = 8;
    private const int PromptTokens = 128;
    private const int OutputTokens = 32;
    private const int LongHitPrefixTokens = 768;
    private const int HitQuestionTokens = 32;
    private const int HitQuestions = 4;

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
        // and every wave with prompts of its own seed: a prompt served before would be a prefix-cache hit.
        var seed = 1;
        await SendAsync(url, Random(RequestsPerStreams), maxConcurrency: 4, seed++, cancellation);
        var excesses = new List<(int Streams, double ExcessSeconds)>();
        var lone = new List<RequestRecord>();
        foreach (var streams in Streams)
        {
            var extra = new List<double>();
            for (var wave = 0; wave < RequestsPerStreams / streams; wave++)
            {
                var together = await SendAsync(url, Random(streams), maxConcurrency: null, seed++, cancellation);
                var simulated = Simulate(engineOnly, together);
                extra.AddRange(together.Select((r, i) => r.TimePerOutputToken!.Value.TotalSeconds - Tpot(simulated[i])));
                if (streams == 1)
                    lone.AddRange(together);
            }
            excesses.Add((streams, Percentile.Of([.. extra], 50)));
        }
        var (stepSeconds, tokenSeconds) = ServerOverheadFit.PerStepAndToken(excesses);

        var withSteps = profile with { ServerOverhead = new ServerOverhead(0, tokenSeconds, stepSeconds) };
        var fresh = lone.Select(r => r.TimeToFirstToken.TotalSeconds - Simulate(withSteps, [r])[0].TtftSeconds).ToList();
        // A prefix of each length, computed by its first question; the others find it cached and compute their own question alone.
        var hits = new List<(double Tokens, double ExcessSeconds)>();
        var hitExtras = new List<string>();
        // A third of the long one, and both well inside the model's context.
        var longPrefix = Math.Min(LongHitPrefixTokens, profile.MaxModelLength / 2);
        foreach (var prefix in new[] { longPrefix / 3, longPrefix })
        {
            var found = (await SendAsync(url, new SharedPrefixDataset(1, prefix, HitQuestions + 1, HitQuestionTokens, 4), maxConcurrency: 1, seed++, cancellation))
                .Where(r => r.CachedTokens > 0).ToList();
            if (found.Count == 0)
                throw new InvalidOperationException($"no request after a {prefix}-token prefix found it cached, so the server's time per prompt token could not be measured");
            var extra = found.Select(r => r.TimeToFirstToken.TotalSeconds - SimulateHit(withSteps, r).TtftSeconds).ToList();
            hits.Add((Percentile.Of([.. found.Select(r => (double)r.PromptTokens)], 50), Percentile.Of([.. extra], 50)));
            hitExtras.Add($"{prefix}-token cached prefix + {HitQuestionTokens}: {Format(extra)} ms");
        }
        var promptTokenSeconds = ServerOverheadFit.PerPromptToken(hits[0], hits[1]);
        var requestSeconds = ServerOverheadFit.PerRequest(hits[0], promptTokenSeconds);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server: TPOT over the law at {string.Join(", ", excesses.Select(e => $"{e.Streams} streams {e.ExcessSeconds * 1e3:F2} ms"))}; "
            + $"so {stepSeconds * 1e3:F2} ms/step + {tokenSeconds * 1e3:F2} ms/streamed token; TTFT over that, {string.Join("; ", hitExtras)}; "
            + $"(fresh {PromptTokens}-token prompts, for comparison: {Format(fresh)} ms); so {requestSeconds * 1e3:F1} ms/request + {promptTokenSeconds * 1e6:F1} us/prompt token"));
        return new ServerOverhead(requestSeconds, tokenSeconds, stepSeconds, promptTokenSeconds);
    }

    private static RandomDataset Random(int count) => new(count, new LengthRange(PromptTokens, 0), new LengthRange(OutputTokens, 0));

    private static async Task<List<RequestRecord>> SendAsync(string url, BenchmarkDataset dataset, int? maxConcurrency, int seed, CancellationToken cancellation)
    {
        var settings = new ServeBenchmarkSettings
        {
            Url = url,
            Dataset = dataset,
            MaxConcurrency = maxConcurrency,
            IgnoreEos = true,
            Seed = seed,
        };
        var outcome = await ServeBenchmarkSession.RunAsync(settings, TextWriter.Null, cancellation);
        var measured = outcome.Run.Records.Where(r => r.Succeeded && r.OutputTokens > 1).ToList();
        if (measured.Count < outcome.Run.Records.Count)
            throw new InvalidOperationException($"{outcome.Run.Records.Count - measured.Count} of {outcome.Run.Records.Count} requests through the server failed, so its overhead could not be measured");
        return measured;
    }

    /// <summary>The requests on one simulated node, all arriving at once (one alone is just itself).</summary>
    private static IReadOnlyList<RequestOutcome> Simulate(StepProfile profile, IReadOnlyList<RequestRecord> requests)
    {
        var prompts = requests.Select((r, i) => new SimRequest(0, [.. Enumerable.Range(1 + i * r.PromptTokens, r.PromptTokens)], r.OutputTokens));
        return Run(profile, prompts);
    }

    /// <summary>A request that found its prompt's first tokens cached, alone on a simulated node where an earlier request left them.</summary>
    private static RequestOutcome SimulateHit(StepProfile profile, RequestRecord request)
    {
        var cached = request.CachedTokens!.Value;
        int[] prefix = [.. Enumerable.Range(1, cached)];
        SimRequest[] requests =
        [
            new(0, [.. prefix, 0], 1),
            // Long after the first has finished, as the probe sends them one at a time.
            new(1e4, [.. prefix, .. Enumerable.Range(cached + 1, request.PromptTokens - cached)], request.OutputTokens),
        ];
        return Run(profile, requests)[1];
    }

    private static IReadOnlyList<RequestOutcome> Run(StepProfile profile, IEnumerable<SimRequest> requests) =>
        new ClusterSimulation(profile, new ClusterSettings(1, RouterPolicy.RoundRobin, NodeSettings.From(profile))).Run(requests).Outcomes;

    private static double Tpot(RequestOutcome outcome) => (outcome.EndToEndSeconds - outcome.TtftSeconds) / (outcome.OutputTokens - 1);

    private static string Format(List<double> seconds) =>
        string.Join(" ", seconds.Select(s => (s * 1e3).ToString("F1", CultureInfo.InvariantCulture)));
}
