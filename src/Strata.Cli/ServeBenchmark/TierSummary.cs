using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// One service tier's results: requests sent, served and refused (429 or 503, with how fast the refusal came), the
/// requests that met the tier's targets — attainment over all sent (a refusal is a miss) and over those served — and
/// goodput, the met requests per second.
/// </summary>
internal sealed record TierSummary(ServiceTier Tier, SloTarget Target, int Sent, int Completed, int Refused, int Met, double Goodput,
    LatencyStats Ttft, LatencyStats Tpot, LatencyStats RefusalLatency)
{
    public double Attainment => Sent == 0 ? 0 : (double)Met / Sent;

    public double ServedAttainment => Completed == 0 ? 0 : (double)Met / Completed;

    public static IReadOnlyList<TierSummary> From(IReadOnlyList<RequestRecord> records, TimeSpan duration, ServiceLevels levels)
    {
        var seconds = Math.Max(duration.TotalSeconds, double.Epsilon);
        return records.Where(r => r.Tier is not null).GroupBy(r => r.Tier!.Value).OrderBy(g => g.Key).Select(group =>
        {
            var target = levels.For(group.Key);
            var served = group.Where(r => r.Succeeded).ToArray();
            var refused = group.Where(r => r.Status is 429 or 503).ToArray();
            var met = served.Count(r => target.IsMet(r.TimeToFirstToken.TotalSeconds, r.TimePerOutputToken?.TotalSeconds ?? 0));
            return new TierSummary(group.Key, target, group.Count(), served.Length, refused.Length, met, met / seconds,
                LatencyStats.Of(served.Select(r => r.TimeToFirstToken)),
                LatencyStats.Of(served.Select(r => r.TimePerOutputToken).OfType<TimeSpan>()),
                LatencyStats.Of(refused.Select(r => r.EndToEnd)));
        }).ToArray();
    }
}
