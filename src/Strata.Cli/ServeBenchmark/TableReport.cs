using System.Globalization;

namespace Strata.Cli.ServeBenchmark;

/// <summary>Writes the summary as the text table vLLM's <c>bench serve</c> prints, so results read side by side.</summary>
internal static class TableReport
{
    private const int Width = 50;

    public static void Write(TextWriter output, BenchmarkOutcome outcome)
    {
        var s = outcome.Summary;
        output.WriteLine(Title(" Serving Benchmark Result ", '='));
        Row(output, "Model:", outcome.Model);
        Row(output, "Endpoint:", outcome.EndpointUrl);
        Row(output, "Successful requests:", Count(s.Completed));
        Row(output, "Failed requests:", Count(s.Failed));
        Row(output, "Benchmark duration (s):", Number(s.Duration.TotalSeconds));
        Row(output, "Total input tokens:", Count(s.TotalInputTokens));
        Row(output, "Total generated tokens:", Count(s.TotalOutputTokens));
        Row(output, "Request throughput (req/s):", Number(s.RequestThroughput));
        if (s.Goodput is { } goodput)
            Row(output, "Request goodput (req/s):", Number(goodput));
        Row(output, "Input token throughput (tok/s):", Number(s.InputThroughput));
        Row(output, "Output token throughput (tok/s):", Number(s.OutputThroughput));
        Row(output, "Total token throughput (tok/s):", Number(s.TotalTokenThroughput));
        Row(output, "Mean cached prompt tokens:", s.MeanCachedPromptTokens is { } cached ? Number(cached) : "n/a");
        Latency(output, "Time to First Token", "TTFT", s.Ttft);
        Latency(output, "Time per Output Token (excl. 1st token)", "TPOT", s.Tpot);
        Latency(output, "Inter-token Latency", "ITL", s.Itl);
        Latency(output, "End-to-end Latency", "E2EL", s.E2e);
        foreach (var tier in outcome.Tiers)
            Tier(output, tier);
        if (s.Errors.Count > 0)
        {
            output.WriteLine(Title("Failures", '-'));
            foreach (var error in s.Errors)
                output.WriteLine($"{error.Count,6} × {error.Message}");
        }
        output.WriteLine(new string('=', Width));
    }

    private static void Tier(TextWriter output, TierSummary t)
    {
        output.WriteLine(Title($"Tier {Strata.Engine.Control.Tiers.Name(t.Tier)} ({t.Target})", '-'));
        Row(output, "Sent / served / refused:", $"{t.Sent} / {t.Completed} / {t.Refused}");
        Row(output, "SLO attainment, all sent (%):", Number(100 * t.Attainment));
        Row(output, "SLO attainment, served (%):", Number(100 * t.ServedAttainment));
        Row(output, "Goodput (req/s):", Number(t.Goodput));
        Row(output, "P50 / P99 TTFT (ms):", $"{Number(t.Ttft.P50)} / {Number(t.Ttft.P99)}");
        Row(output, "P50 / P99 TPOT (ms):", $"{Number(t.Tpot.P50)} / {Number(t.Tpot.P99)}");
        Row(output, "P50 / P99 refusal latency (ms):", $"{Number(t.RefusalLatency.P50)} / {Number(t.RefusalLatency.P99)}");
    }

    private static void Latency(TextWriter output, string title, string metric, LatencyStats stats)
    {
        output.WriteLine(Title(title, '-'));
        Row(output, $"Mean {metric} (ms):", Number(stats.Mean));
        Row(output, $"P50 {metric} (ms):", Number(stats.P50));
        Row(output, $"P90 {metric} (ms):", Number(stats.P90));
        Row(output, $"P99 {metric} (ms):", Number(stats.P99));
    }

    private static string Title(string text, char fill)
    {
        var left = Math.Max(0, (Width - text.Length) / 2);
        return (new string(fill, left) + text).PadRight(Width, fill);
    }

    private static void Row(TextWriter output, string label, string value) => output.WriteLine($"{label,-40} {value}");

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
