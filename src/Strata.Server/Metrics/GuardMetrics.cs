using System.Diagnostics.Metrics;
using Strata.Engine;

namespace Strata.Server.Metrics;

/// <summary>The content guard: violations by kind and category, and the classifier's work (nothing when there is no guard).</summary>
internal sealed class GuardMetrics
{
    public GuardMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        if (engine.Options.Guard is not { } guard)
            return;
        var meter = meters.Create(ServerMetrics.MeterName);
        meter.CreateObservableCounter("strata_guard_violations_total",
            () => guard.Stats.Violations.OrderBy(v => v.Key).Select(v => new Measurement<long>(v.Value,
                new KeyValuePair<string, object?>("kind", v.Key.Item1), new KeyValuePair<string, object?>("category", v.Key.Item2))),
            description: "Sequences the content guard stopped, by what found the violation and its category.");
        meter.CreateObservableCounter("strata_guard_classifications_total", () => guard.Stats.Classifications, description: "Texts the guard's classifier scored.");
        meter.CreateObservableCounter("strata_guard_classifier_seconds_total", () => guard.Stats.ClassifierSeconds,
            description: "Time the classifier spent scoring (on its own thread, beside decoding).");
    }
}
