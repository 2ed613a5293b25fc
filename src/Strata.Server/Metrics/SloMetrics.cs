using System.Collections.Concurrent;
using Strata.Engine;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Server.Metrics;

/// <summary>
/// The control plane's metrics, all in one place: per tier the time to first token and per output token, how many
/// requests met their tier's targets, the predicted time to first token beside the measured one and the prediction's
/// relative error, refusals by tier and reason, and the queue per tier (read from the engine's snapshot).
/// </summary>
internal sealed class SloMetrics
{
    private static readonly double[] TtftBounds = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30, 45, 60, 120];
    private static readonly double[] TpotBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5];

    private readonly Histogram[] _ttft = PerTier(t => new Histogram("strata_tier_time_to_first_token_seconds", "Time to first token, by service tier.", TtftBounds));
    private readonly Histogram[] _tpot = PerTier(t => new Histogram("strata_tier_time_per_output_token_seconds", "Mean time per output token after the first, by service tier.", TpotBounds));
    private readonly long[] _finished = new long[Tiers.Count];
    private readonly long[] _met = new long[Tiers.Count];
    private readonly ConcurrentDictionary<(ServiceTier Tier, string Reason), long> _rejections = new();

    public Histogram PredictedTimeToFirstToken { get; } = new("strata_predicted_ttft_seconds",
        "Time to first token predicted at submission, for admitted requests (beside strata_time_to_first_token_seconds).", TtftBounds);

    public Histogram PredictionError { get; } = new("strata_predicted_ttft_relative_error",
        "Absolute relative error of the predicted time to first token against the measured one.",
        [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5]);

    public void ObserveFirstToken(ServiceTier tier, double seconds, TimeSpan? predicted)
    {
        _ttft[(int)tier].Observe(seconds);
        if (predicted is not { } p || seconds <= 0)
            return;
        PredictedTimeToFirstToken.Observe(p.TotalSeconds);
        PredictionError.Observe(Math.Abs(p.TotalSeconds - seconds) / seconds);
    }

    /// <summary>Records a finished request's time per output token and whether it met its tier's targets.</summary>
    public void ObserveFinished(ServiceTier tier, double ttftSeconds, double? tpotSeconds, SloTarget target)
    {
        if (tpotSeconds is { } tpot)
            _tpot[(int)tier].Observe(tpot);
        Interlocked.Increment(ref _finished[(int)tier]);
        if (target.IsMet(ttftSeconds, tpotSeconds ?? 0))
            Interlocked.Increment(ref _met[(int)tier]);
    }

    public void CountRejection(ServiceTier tier, string reason) => _rejections.AddOrUpdate((tier, reason), 1, (_, count) => count + 1);

    public void WriteTo(PrometheusText text, EngineStats engine)
    {
        WriteFamily(text, _ttft);
        WriteFamily(text, _tpot);
        text.Family("strata_slo_requests_total", "counter", "Requests that ran to their end, by service tier.");
        foreach (var tier in Tiers.All)
            text.Sample("strata_slo_requests_total", Interlocked.Read(ref _finished[(int)tier]), "tier", Tiers.Name(tier));
        text.Family("strata_slo_met_total", "counter", "Requests that met their tier's time-to-first-token and time-per-output-token targets; attainment is this over strata_slo_requests_total.");
        foreach (var tier in Tiers.All)
            text.Sample("strata_slo_met_total", Interlocked.Read(ref _met[(int)tier]), "tier", Tiers.Name(tier));
        text.Family("strata_rejections_total", "counter", "Requests refused before any compute, by service tier and reason.");
        foreach (var ((tier, reason), count) in _rejections.OrderBy(p => p.Key))
            text.Sample("strata_rejections_total", count, [("tier", Tiers.Name(tier)), ("reason", reason)]);
        text.Family("strata_queue_depth", "gauge", "Sequences waiting for admission, by service tier.");
        foreach (var tier in Tiers.All)
            text.Sample("strata_queue_depth", engine.Queue.WaitingIn(tier), "tier", Tiers.Name(tier));
        text.Family("strata_tier_sequences_running", "gauge", "Sequences running, by service tier.");
        foreach (var tier in Tiers.All)
            text.Sample("strata_tier_sequences_running", engine.Queue.RunningIn(tier), "tier", Tiers.Name(tier));
        PredictedTimeToFirstToken.WriteTo(text);
        PredictionError.WriteTo(text);
        if (engine.StepCost is { } cost)
        {
            text.Family("strata_step_cost_seconds", "gauge", "The fitted step cost law: seconds per unit of each term.");
            text.Sample("strata_step_cost_seconds", cost.Fixed, "term", "fixed");
            text.Sample("strata_step_cost_seconds", cost.PerPrefillToken, "term", "prefill_token");
            text.Sample("strata_step_cost_seconds", cost.PerDecode, "term", "decode");
            text.Sample("strata_step_cost_seconds", cost.PerContextToken, "term", "context_token");
        }
    }

    private static Histogram[] PerTier(Func<ServiceTier, Histogram> create) => Tiers.All.Select(create).ToArray();

    private static void WriteFamily(PrometheusText text, Histogram[] perTier)
    {
        text.Family(perTier[0].Name, "histogram", perTier[0].Help);
        foreach (var tier in Tiers.All)
            perTier[(int)tier].WriteSamples(text, ("tier", Tiers.Name(tier)));
    }
}
