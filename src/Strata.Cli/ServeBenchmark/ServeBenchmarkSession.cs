using System.Globalization;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// One benchmark from start to end: find the model, calibrate prompt lengths against the server (which doubles as the
/// smoke test), build the dataset and the arrival schedule, send everything, summarize.
/// </summary>
internal static class ServeBenchmarkSession
{
    public static async Task<BenchmarkOutcome> RunAsync(ServeBenchmarkSettings settings, TextWriter log, CancellationToken cancellation)
    {
        using var client = new OpenAiClient(settings.Url, settings.ApiKey);
        var model = settings.Model ?? await client.FirstModelAsync(cancellation);
        var requestSettings = new RequestSettings
        {
            Endpoint = settings.Endpoint,
            Model = model,
            Temperature = settings.Temperature,
            IgnoreEos = settings.IgnoreEos,
            LogitBias = settings.LogitBias,
        };
        var endpointUrl = client.UrlOf(settings.Endpoint);
        log.WriteLine($"Benchmarking model '{model}' at {endpointUrl}");

        var estimate = await TokenCalibration.MeasureAsync(client, requestSettings, cancellation);
        log.WriteLine(estimate is null
            ? "The server reports no prompt tokens; assuming one token per word."
            : FormattableString.Invariant($"Prompt words cost {estimate.TokensPerWord:F2} tokens each plus {estimate.OverheadTokens:F0} per prompt."));
        // Separate random streams, so that changing the dataset's shape does not move the arrivals.
        var requests = settings.Dataset.Create(estimate ?? TokenEstimate.OneTokenPerWord, new Random(settings.Seed));
        if (settings.TierMix is { } mix)
            requests = mix.Assign(requests, new Random(settings.Seed + 2));
        var sendTimes = ArrivalSchedule.SendTimes(requests.Length, settings.RequestRate, settings.Burstiness, new Random(settings.Seed + 1));

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Sending {requests.Length} requests at {RateText(settings.RequestRate)} req/s (burstiness {settings.Burstiness}), max concurrency {settings.MaxConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}"));
        var progress = new ProgressLog(log, requests.Length);
        var run = await BenchmarkRunner.RunAsync(client, requestSettings, requests, sendTimes, settings.MaxConcurrency, progress.Report, cancellation);
        var tiers = settings.TierMix is null ? [] : TierSummary.From(run.Records, run.Duration, settings.Slo);
        return new BenchmarkOutcome(model, endpointUrl, estimate, run, BenchmarkSummary.From(run.Records, run.Duration, settings.Goodput)) { Tiers = tiers };
    }

    private static string RateText(double rate) =>
        double.IsPositiveInfinity(rate) ? "inf" : rate.ToString("G", CultureInfo.InvariantCulture);
}
