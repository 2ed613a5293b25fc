using Strata.Engine.Guard;

namespace Strata.Server.Metrics;

/// <summary>The content guard in Prometheus text: violations by kind and category, and the classifier's work.</summary>
internal static class GuardMetrics
{
    public static void WriteTo(PrometheusText text, ContentGuard? guard)
    {
        if (guard is null)
            return;
        var stats = guard.Stats;
        text.Family("strata_guard_violations_total", "counter", "Sequences the content guard stopped, by what found the violation and its category.");
        foreach (var ((kind, category), count) in stats.Violations.OrderBy(v => v.Key))
            text.Sample("strata_guard_violations_total", count, [("kind", kind), ("category", category)]);
        text.Counter("strata_guard_classifications_total", "Texts the guard's classifier scored.", stats.Classifications);
        text.Counter("strata_guard_classifier_seconds_total", "Time the classifier spent scoring (on its own thread, beside decoding).", stats.ClassifierSeconds);
    }
}
