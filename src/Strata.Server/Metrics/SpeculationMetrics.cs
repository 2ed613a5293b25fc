using System.Globalization;
using Strata.Engine.Speculation;

namespace Strata.Server.Metrics;

/// <summary>
/// Speculative decoding in Prometheus text, per method: drafts verified, drafts accepted, and a histogram of the drafts
/// accepted per verification (one observation per sequence per step that verified drafts). Nothing when it is off.
/// </summary>
internal static class SpeculationMetrics
{
    public static void WriteTo(PrometheusText text, SpeculationStats? stats)
    {
        if (stats is null)
            return;
        text.Family("strata_spec_draft_tokens_total", "counter", "Drafted tokens verified by the target model.");
        text.Sample("strata_spec_draft_tokens_total", stats.DraftTokens, "method", stats.Method);
        text.Family("strata_spec_accepted_tokens_total", "counter", "Drafted tokens the target model accepted.");
        text.Sample("strata_spec_accepted_tokens_total", stats.AcceptedTokens, "method", stats.Method);

        const string histogram = "strata_spec_accepted_drafts_per_verification";
        text.Family(histogram, "histogram", "Drafts accepted each time a sequence's drafts were verified.");
        long cumulative = 0;
        for (var accepted = 0; accepted < stats.AcceptedPerVerification.Count; accepted++)
        {
            cumulative += stats.AcceptedPerVerification[accepted];
            text.Sample(histogram + "_bucket", cumulative, [("method", stats.Method), ("le", accepted.ToString(CultureInfo.InvariantCulture))]);
        }
        text.Sample(histogram + "_bucket", cumulative, [("method", stats.Method), ("le", "+Inf")]);
        text.Sample(histogram + "_sum", stats.AcceptedTokens, "method", stats.Method);
        text.Sample(histogram + "_count", cumulative, "method", stats.Method);
    }
}
