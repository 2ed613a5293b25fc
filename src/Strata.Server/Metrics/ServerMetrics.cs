using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Strata.Server.Metrics;

/// <summary>
/// What the server measures per request, on the <see cref="MeterName"/> meter: API requests by status, and each
/// request's latencies twice, under the <c>strata_*</c> names the Prometheus scrape has always had and under the
/// OpenTelemetry GenAI names (<c>gen_ai.server.*</c>) that dashboards built for any model server read. Also the
/// process's resident memory under the name Prometheus' own process collectors give it, from the start (a model loading
/// is when it grows most).
/// </summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "Strata.Server";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _promptsTokenized;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<double> _endToEnd;
    private readonly Histogram<double> _genAiTimeToFirstToken;
    private readonly Histogram<double> _genAiTimePerOutputToken;
    private readonly Histogram<double> _genAiRequestDuration;

    public ServerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, description: "Resident memory of the server process.");
        _requests = meter.CreateCounter<long>("strata_requests_total", description: "API requests answered, by HTTP status (499: the client went away first).");
        _promptsTokenized = meter.CreateCounter<long>("strata_prompts_tokenized_total",
            description: "Prompt texts this server tokenized (a router sends the token ids it read, so a node behind one tokenizes none).");
        _timeToFirstToken = Seconds(meter, "strata_time_to_first_token_seconds", "Time from submitting a request to its first generated token.",
            [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]);
        _timePerOutputToken = Seconds(meter, "strata_time_per_output_token_seconds", "Mean time between generated tokens after the first, per request.",
            [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5]);
        _endToEnd = Seconds(meter, "strata_e2e_request_latency_seconds", "Time from submitting a request to its last generated token.",
            [0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240]);
        // Bucket boundaries as the GenAI semantic conventions advise.
        _genAiTimeToFirstToken = Seconds(meter, "gen_ai.server.time_to_first_token", "Time to generate the first token, for successful responses.",
            [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0]);
        _genAiTimePerOutputToken = Seconds(meter, "gen_ai.server.time_per_output_token", "Time per output token generated after the first, for successful responses.",
            [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5]);
        _genAiRequestDuration = Seconds(meter, "gen_ai.server.request.duration", "Generative AI server request duration, for successful responses.",
            [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    }

    public void CountRequest(int status) => _requests.Add(1, new KeyValuePair<string, object?>("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public void PromptTokenized() => _promptsTokenized.Add(1);

    public void TimeToFirstToken(double seconds, in TagList genAi)
    {
        _timeToFirstToken.Record(seconds);
        _genAiTimeToFirstToken.Record(seconds, genAi);
    }

    public void Completed(double seconds, double? timePerOutputToken, in TagList genAi)
    {
        _endToEnd.Record(seconds);
        _genAiRequestDuration.Record(seconds, genAi);
        if (timePerOutputToken is { } perToken)
        {
            _timePerOutputToken.Record(perToken);
            _genAiTimePerOutputToken.Record(perToken, genAi);
        }
    }

    /// <summary>A histogram of seconds with the given bucket boundaries (the exporters' defaults suit milliseconds).</summary>
    public static Histogram<double> Seconds(Meter meter, string name, string description, double[] boundaries) =>
        meter.CreateHistogram(name, "s", description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = boundaries });
}
