using System.Diagnostics.Metrics;
using Strata.Engine;
using Strata.Engine.Speculation;

namespace Strata.Server.Metrics;

/// <summary>
/// Speculative decoding, per method: drafts verified, drafts accepted, and a histogram of the drafts accepted per
/// verification (one observation per sequence per step that verified drafts). Nothing when it is off.
/// </summary>
/// <remarks>
/// The engine counts verifications by drafts accepted in its stats, off the decode loop; each collection records the
/// verifications added since the last one into the histogram (a bucket per count, 0 to k), so the histogram's
/// buckets, sum and count equal the engine's totals.
/// </remarks>
internal sealed class SpeculationMetrics
{
    private readonly InferenceEngine _engine;
    private readonly Histogram<int>? _acceptedPerVerification;
    private readonly KeyValuePair<string, object?> _method;
    private readonly Lock _lock = new();
    private long[] _recorded = [];

    public SpeculationMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        _engine = engine;
        if (engine.Options.Speculation is not { } options)
            return;
        _method = new("method", options.Method.ToString().ToLowerInvariant());
        var meter = meters.Create(ServerMetrics.MeterName);
        meter.CreateObservableCounter("strata_spec_draft_tokens_total", () => Observe(s => s.DraftTokens), description: "Drafted tokens verified by the target model.");
        meter.CreateObservableCounter("strata_spec_accepted_tokens_total", () => Observe(s => s.AcceptedTokens), description: "Drafted tokens the target model accepted.");
        _acceptedPerVerification = meter.CreateHistogram("strata_spec_accepted_drafts_per_verification", unit: null,
            "Drafts accepted each time a sequence's drafts were verified.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = Enumerable.Range(0, options.NumSpeculativeTokens + 1).ToArray() });
    }

    /// <summary>Reads one total for the counters, and brings the histogram up to the engine's counts on the way.</summary>
    private Measurement<long>[] Observe(Func<SpeculationStats, long> total)
    {
        if (_engine.Stats.Speculation is not { } stats)
            return [new Measurement<long>(0, _method)];
        RecordNewVerifications(stats.AcceptedPerVerification);
        return [new Measurement<long>(total(stats), _method)];
    }

    private void RecordNewVerifications(IReadOnlyList<long> counts)
    {
        lock (_lock)
        {
            if (_recorded.Length < counts.Count)
                Array.Resize(ref _recorded, counts.Count);
            for (var accepted = 0; accepted < counts.Count; accepted++)
            {
                for (var n = _recorded[accepted]; n < counts[accepted]; n++)
                    _acceptedPerVerification!.Record(accepted, _method);
                _recorded[accepted] = counts[accepted];
            }
        }
    }
}
