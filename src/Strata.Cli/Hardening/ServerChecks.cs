using System.Globalization;
using System.Text.Json;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Hardening;

/// <summary>
/// What must hold on a server after a soak or a fuzz run, read from its own answers and <c>/metrics</c>: nothing left
/// running, every KV block returned, block integrity intact, no server error counted, the cap on running sequences
/// kept, <c>/health</c> answering, the same greedy text as before the run, and resident memory within a bound. A
/// check the server gives nothing to decide (a router has no KV metrics) is skipped, not failed.
/// </summary>
internal sealed class ServerChecks
{
    private const string GreedyPrompt = "Once upon a time";
    private static readonly TimeSpan IdlePatience = TimeSpan.FromSeconds(30);

    private readonly OpenAiClient _client;
    private readonly string _baselineText;

    private ServerChecks(OpenAiClient client, string model, MetricSamples? before, string baselineText)
    {
        _client = client;
        Model = model;
        Before = before;
        _baselineText = baselineText;
    }

    /// <summary>The model every request asks for.</summary>
    public string Model { get; }

    /// <summary>The server's metrics before the run.</summary>
    public MetricSamples? Before { get; }

    /// <summary>Finds the model (unless given) and takes the baseline: the metrics and a greedy completion, which must succeed.</summary>
    public static async Task<ServerChecks> StartAsync(OpenAiClient client, string url, string? model, CancellationToken cancellation)
    {
        model ??= await client.FirstModelAsync(cancellation);
        var text = await GreedyTextAsync(client, model, cancellation)
            ?? throw new InvalidOperationException($"{url} did not answer a greedy completion before the run");
        return new ServerChecks(client, model, await ScrapeAsync(client, cancellation), text);
    }

    /// <summary>Waits until the server is idle, then checks everything against the baseline.</summary>
    /// <param name="memoryBaseline">Resident memory to measure growth from (after a warm-up, say); null takes the baseline's.</param>
    /// <returns>The metrics of the idle server.</returns>
    public async Task<MetricSamples?> CheckAsync(Verdict verdict, double? memoryBaseline, long maxMemoryGrowth, CancellationToken cancellation)
    {
        var idle = await WaitForIdleAsync(cancellation);
        CheckIdle(verdict, idle);
        CheckMetric(verdict, idle, "KV integrity", "strata_kv_integrity_ok", v => v == 1, v => v == 1 ? "block references match their holders" : "references do not match");
        CheckServerErrors(verdict, Before, idle);
        CheckCap(verdict, idle);
        var health = await _client.GetAsync("/health", cancellation);
        verdict.Require(health.Status == 200, "/health", health.Status is { } status ? $"HTTP {status}" : health.TransportError!);
        var greedy = await GreedyTextAsync(_client, Model, cancellation);
        verdict.Require(greedy is not null && greedy == _baselineText, "same greedy text as before",
            greedy == _baselineText ? Quote(greedy) : $"before {Quote(_baselineText)}, after {Quote(greedy)}");
        CheckMemory(verdict, memoryBaseline ?? Before?["process_resident_memory_bytes"], idle?["process_resident_memory_bytes"], maxMemoryGrowth);
        return idle;
    }

    private static async Task<MetricSamples?> ScrapeAsync(OpenAiClient client, CancellationToken cancellation)
    {
        var metrics = await client.GetAsync("/metrics", cancellation);
        return metrics.Status == 200 ? MetricSamples.Parse(metrics.Body) : null;
    }

    /// <summary>Polls <c>/metrics</c> until nothing runs, waits or holds a KV block (or the patience runs out); the last scrape.</summary>
    public async Task<MetricSamples?> WaitForIdleAsync(CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + IdlePatience;
        while (true)
        {
            var metrics = await ScrapeAsync(_client, cancellation);
            if (metrics is null || IsIdle(metrics) || DateTime.UtcNow > deadline)
                return metrics;
            await Task.Delay(100, cancellation);
        }
    }

    /// <summary>The text of a short greedy completion: any damage to the engine's state shows up as a different one.</summary>
    private static async Task<string?> GreedyTextAsync(OpenAiClient client, string model, CancellationToken cancellation)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["model"] = model, ["prompt"] = GreedyPrompt, ["max_tokens"] = 24, ["temperature"] = 0 });
        var answer = await client.PostAsync("/v1/completions", body, cancellation);
        if (answer.Status != 200)
            return null;
        try
        {
            using var json = JsonDocument.Parse(answer.Body);
            return json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static bool IsIdle(MetricSamples metrics) =>
        (metrics["strata_kv_blocks_used"] ?? 0) == 0 && (metrics["strata_sequences_running"] ?? 0) == 0 && (metrics["strata_sequences_waiting"] ?? 0) == 0;

    private static void CheckIdle(Verdict verdict, MetricSamples? idle)
    {
        if (idle?["strata_kv_blocks_used"] is not { } used)
        {
            verdict.Skip("KV blocks returned", "the server reports no strata_kv_blocks_used");
            return;
        }
        verdict.Require(IsIdle(idle), "KV blocks returned",
            $"{used} blocks in use, {idle["strata_sequences_running"] ?? 0} running, {idle["strata_sequences_waiting"] ?? 0} waiting after the run");
    }

    private static void CheckServerErrors(Verdict verdict, MetricSamples? before, MetricSamples? after)
    {
        if (after?.ServerErrors is not { } errors)
        {
            verdict.Skip("no server errors counted", "the server reports no strata_requests_total");
            return;
        }
        var counted = errors - (before?.ServerErrors ?? 0);
        verdict.Require(counted == 0, "no server errors counted", $"{counted} requests answered 5xx during the run (strata_requests_total)");
    }

    private static void CheckCap(Verdict verdict, MetricSamples? metrics)
    {
        if (metrics?["strata_sequences_running_peak"] is not { } peak || metrics["strata_sequences_max"] is not { } cap)
        {
            verdict.Skip("running sequences within the cap", "the server reports no strata_sequences_running_peak");
            return;
        }
        verdict.Require(peak <= cap, "running sequences within the cap", $"peak {peak} of at most {cap}");
    }

    private static void CheckMetric(Verdict verdict, MetricSamples? metrics, string check, string sample, Func<double, bool> holds, Func<double, string> describe)
    {
        if (metrics?[sample] is not { } value)
            verdict.Skip(check, $"the server reports no {sample}");
        else
            verdict.Require(holds(value), check, describe(value));
    }

    private static void CheckMemory(Verdict verdict, double? before, double? after, long maxGrowth)
    {
        if (before is not { } start || after is not { } end)
        {
            verdict.Skip("resident memory growth", "the server reports no process_resident_memory_bytes");
            return;
        }
        var growth = end - start;
        verdict.Require(growth <= maxGrowth, "resident memory growth",
            string.Create(CultureInfo.InvariantCulture, $"{Mib(start):F1} -> {Mib(end):F1} MiB ({Mib(growth):+0.0;-0.0} MiB, at most +{Mib(maxGrowth):F0})"));
    }

    private static double Mib(double bytes) => bytes / (1 << 20);

    private static string Quote(string? text) => text is null ? "(no answer)" : JsonSerializer.Serialize(text);
}
