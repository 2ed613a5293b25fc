using System.Globalization;
using Strata.Cli.ServeBenchmark;
using Strata.Engine.Control;
using Strata.Plots;
using Strata.Simulation;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata sim --sweep-rates</c>: the same workload at each request rate, simulated; the share of requests that met
/// the SLOs (the <c>--goodput</c> ones for all, and each tier's own with a tier mix) and goodput, as a table and a chart.
/// </summary>
internal static class LoadSweep
{
    public sealed record Row(double Rate, double? Attainment, double? Goodput, IReadOnlyList<TierSummary> Tiers, double TtftP90, double TpotP90);

    public static IReadOnlyList<Row> Run(TextWriter output, IReadOnlyList<double> rates, Func<double, SimulationResult> simulate, GoodputSlo? slo,
        Func<BenchmarkRun, IReadOnlyList<TierSummary>> tiers)
    {
        output.WriteLine();
        output.WriteLine($"{"req/s",8} {"attainment",11} {"goodput",9} {"P90 TTFT ms",12} {"P90 TPOT ms",12}  per tier (attainment)");
        var rows = new List<Row>();
        foreach (var rate in rates)
        {
            var simulation = simulate(rate);
            var records = simulation.Outcomes.Select(SimOptions.Record).ToArray();
            var run = new BenchmarkRun(records, TimeSpan.FromSeconds(simulation.DurationSeconds));
            var summary = BenchmarkSummary.From(records, run.Duration, slo);
            var row = new Row(rate, slo is null ? null : (double)records.Count(slo.IsMetBy) / records.Length, summary.Goodput, tiers(run), summary.Ttft.P90, summary.Tpot.P90);
            rows.Add(row);
            var perTier = string.Join(", ", row.Tiers.Select(t => string.Create(CultureInfo.InvariantCulture, $"{Tiers.Name(t.Tier)} {t.Attainment:P1}")));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rate,8:G4} {(row.Attainment is { } a ? a.ToString("P1", CultureInfo.InvariantCulture) : "-"),11} {row.Goodput?.ToString("F2", CultureInfo.InvariantCulture) ?? "-",9} {row.TtftP90,12:F1} {row.TpotP90,12:F1}  {perTier}"));
        }
        return rows;
    }

    /// <returns>The chart's path: attainment (%) against request rate, one line for all requests and one per tier.</returns>
    public static string Plot(string directory, IReadOnlyList<Row> rows, string topology)
    {
        var path = Path.Combine(directory, "attainment-vs-load.png");
        var x = rows.Select(r => r.Rate).ToArray();
        var series = new List<(string, double[], double[])>();
        if (rows[0].Attainment is not null)
            series.Add(("all requests (--goodput)", x, rows.Select(r => 100 * r.Attainment!.Value).ToArray()));
        foreach (var tier in rows.SelectMany(r => r.Tiers).Select(t => t.Tier).Distinct().Order())
            series.Add(($"{Tiers.Name(tier)} (its targets)", x, rows.Select(r => 100 * (r.Tiers.FirstOrDefault(t => t.Tier == tier)?.Attainment ?? 0)).ToArray()));
        Chart.Lines(path, $"SLO attainment against load, {topology}", "requests per second", "% of requests within the SLOs", series);
        return path;
    }
}
