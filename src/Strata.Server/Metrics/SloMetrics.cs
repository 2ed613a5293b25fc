using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Strata.Engine;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Server.Metrics;

/// <summary>
/// The control plane's metrics, all in one place: per tier the time to first token and per output token, how many
/// requests met their tier's targets, the predicted time to first token beside the measured one and the prediction's
/// relative error, refusals by tier and reason, the queue per tier and the fitted step cost law (read from the
/// engine's snapshot whenever metrics are collected).
/// </summary>
internal sealed class SloMetrics
{
    private static readonly double[] TtftBounds = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30, 45, 60, 120];
    private static readonly double[] TpotBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5];
    private static readonly KeyValuePair<string, object?>[] TierTags = Tiers.All.Select(t => new KeyValuePair<string, object?>("tier", Tiers.Name(t))).ToArray();

    private readonly Histogram<double> _ttft;
    private readonly Histogram<double> _tpot;
    private readonly Histogram<double> _predicted;
    private readonly Histogram<double> _predictionError;
    private readonly long[] _finished = new long[Tiers.Count];
    private readonly long[] _met = new long[Tiers.Count];
    private readonly ConcurrentDictionary<(ServiceTier Tier, string Reason), long> _rejections = new(
        Tiers.All.SelectMany(t => new[] { RequestRejectedException.QueueFull, RequestRejectedException.PredictedLate }.Select(r => KeyValuePair.Create((t, r), 0L))));

    public SloMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        var meter = meters.Create(ServerMetrics.MeterName);
        _ttft = ServerMetrics.Seconds(meter, "strata_tier_time_to_first_token_seconds", "Time to first token, by service tier.", TtftBounds);
        _tpot = ServerMetrics.Seconds(meter, "strata_tier_time_per_output_token_seconds", "Mean time per output token after the first, by service tier.", TpotBounds);
        _predicted = ServerMetrics.Seconds(meter, "strata_predicted_ttft_seconds",
            "Time to first token predicted at submission, for admitted requests (beside strata_time_to_first_token_seconds).", TtftBounds);
        _predictionError = meter.CreateHistogram("strata_predicted_ttft_relative_error", unit: null,
            "Absolute relative error of the predicted time to first token against the measured one.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5] });
        meter.CreateObservableCounter("strata_slo_requests_total", () => PerTier(_finished), description: "Requests that ran to their end, by service tier.");
        meter.CreateObservableCounter("strata_slo_met_total", () => PerTier(_met),
            description: "Requests that met their tier's time-to-first-token and time-per-output-token targets; attainment is this over strata_slo_requests_total.");
        meter.CreateObservableCounter("strata_rejections_total", () => _rejections.OrderBy(p => p.Key).Select(p => new Measurement<long>(p.Value,
                new KeyValuePair<string, object?>("tier", Tiers.Name(p.Key.Tier)), new KeyValuePair<string, object?>("reason", p.Key.Reason))),
            description: "Requests refused before any compute, by service tier and reason.");
        meter.CreateObservableGauge("strata_queue_depth", () => PerTier(engine.Stats.Queue.WaitingIn), description: "Sequences waiting for admission, by service tier.");
        meter.CreateObservableGauge("strata_tier_sequences_running", () => PerTier(engine.Stats.Queue.RunningIn), description: "Sequences running, by service tier.");
        meter.CreateObservableGauge("strata_step_cost_seconds", () => StepCostTerms(engine.Stats.StepCost), description: "The fitted step cost law: seconds per unit of each term.");
    }

    public void ObserveFirstToken(ServiceTier tier, double seconds, TimeSpan? predicted)
    {
        _ttft.Record(seconds, TierTags[(int)tier]);
        if (predicted is not { } p || seconds <= 0)
            return;
        _predicted.Record(p.TotalSeconds);
        _predictionError.Record(Math.Abs(p.TotalSeconds - seconds) / seconds);
    }

    /// <summary>Records a finished request's time per output token and whether it met its tier's targets.</summary>
    public void ObserveFinished(ServiceTier tier, double ttftSeconds, double? tpotSeconds, SloTarget target)
    {
        if (tpotSeconds is { } tpot)
            _tpot.Record(tpot, TierTags[(int)tier]);
        Interlocked.Increment(ref _finished[(int)tier]);
        if (target.IsMet(ttftSeconds, tpotSeconds ?? 0))
            Interlocked.Increment(ref _met[(int)tier]);
    }

    public void CountRejection(ServiceTier tier, string reason) => _rejections.AddOrUpdate((tier, reason), 1, (_, count) => count + 1);

    private static IEnumerable<Measurement<long>> PerTier(long[] counts) =>
        Tiers.All.Select(t => new Measurement<long>(Interlocked.Read(ref counts[(int)t]), TierTags[(int)t]));

    private static IEnumerable<Measurement<int>> PerTier(Func<ServiceTier, int> value) =>
        Tiers.All.Select(t => new Measurement<int>(value(t), TierTags[(int)t]));

    private static IEnumerable<Measurement<double>> StepCostTerms(StepCost? cost) => cost is null ? [] :
    [
        new(cost.Fixed, new KeyValuePair<string, object?>("term", "fixed")),
        new(cost.PerPrefillToken, new KeyValuePair<string, object?>("term", "prefill_token")),
        new(cost.PerDecode, new KeyValuePair<string, object?>("term", "decode")),
        new(cost.PerContextToken, new KeyValuePair<string, object?>("term", "context_token")),
        new(cost.PerDraftToken, new KeyValuePair<string, object?>("term", "draft_token")),
    ];
}
