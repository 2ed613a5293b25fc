using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Strata.Cli.ServeBenchmark;
using Strata.Simulation;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata sim</c>: simulates a cluster serving a workload, with the engine's real scheduler and cache on each node
/// and step times from a measured profile. The workload flags are <c>strata bench serve</c>'s, so one command line
/// describes the same load for the real server and the simulation, and the results come in bench serve's terms.
/// </summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var options = new SimOptions();
        var nodes = new Option<int>("--nodes") { Description = "Colocated nodes", DefaultValueFactory = _ => 1 }.MustBePositive();
        var prefill = new Option<int?>("--prefill") { Description = "Prefill nodes of an xP+yD cluster (with --decode, --transfer-bandwidth and --kv-block-bytes)" };
        var decode = new Option<int?>("--decode") { Description = "Decode nodes of an xP+yD cluster" };
        var sweep = new Option<string?>("--sweep-rates") { Description = "Also simulate the workload at these request rates (e.g. 1,2,4,8): attainment and goodput against load, charted with --plot", HelpName = "r1,r2,…" };
        var json = new Option<string?>("--json") { Description = "Also write settings, summary and per-request results to this JSON file" };
        var workers = new Option<int>("--workers") { Description = "Threads advancing the nodes (0: one per core); used for colocated nodes with round-robin routing, the same results with any number", DefaultValueFactory = _ => 0 }.MustNotBeNegative();
        var plot = new Option<string?>("--plot") { Description = "Also draw PNG charts into this directory: bench serve's latency CDFs and throughput; with --sweep-rates, attainment against load", HelpName = "dir" };
        var command = new Command("sim", "Simulate a cluster serving a workload, on the real scheduler and cache with a measured step cost") { nodes, prefill, decode, sweep, json, plot, workers };
        foreach (var option in options.All)
            command.Options.Add(option);
        command.Subcommands.Add(SimSearchCommand.Create());
        command.Subcommands.Add(SimChartCommand.Create());
        command.SetAction(result => CliRunner.Run(() =>
        {
            var stepProfile = StepProfile.Load(result.GetValue(options.Profile)!);
            var node = options.Node(result, stepProfile);
            var settings = Topology(result, options, nodes, prefill, decode, node) with { Workers = result.GetValue(workers) };
            var workload = options.Workload(result);
            var slo = options.Load.Slo(result);
            var rates = result.GetValue(sweep) is { } list ? SweepRates(list) : null;
            if (rates is not null && slo is null && result.GetValue(options.TierMix) is null)
                throw new ArgumentException("--sweep-rates measures attainment: give --goodput SLOs, or --tier-mix for each tier's own targets");

            var wall = Stopwatch.StartNew();
            var simulator = new ClusterSimulation(stepProfile, settings);
            var simulation = simulator.Run(workload());
            var wallSeconds = wall.Elapsed.TotalSeconds;

            var records = simulation.Outcomes.Select(SimOptions.Record).ToArray();
            var duration = TimeSpan.FromSeconds(simulation.DurationSeconds);
            var summary = BenchmarkSummary.From(records, duration, slo);
            var description = $"simulated: {Describe(settings)}, {result.GetValue(options.Router)}, {node.KvBlocks} KV blocks each";
            var output = result.InvocationConfiguration.Output;
            var outcome = new BenchmarkOutcome(stepProfile.Model, description, null, new BenchmarkRun(records, duration), summary)
            {
                Tiers = options.Tiers(result, records, duration),
            };
            TableReport.Write(output, outcome);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"Prefix cache hit rate (prompt tokens):",-40} {simulation.CacheHitRate:P1}\n{"Steps simulated:",-40} {simulation.Steps}\n{"Simulation wall time (s):",-40} {wallSeconds:F2}"));
            if (settings.Disaggregation is not null)
                output.WriteLine($"{"Prompts computed on prefill nodes:",-40} {simulator.Handoffs.Prompts} ({simulator.Handoffs.Blocks} blocks handed off)");
            var sweepRows = rates is null ? null : LoadSweep.Run(output, rates, rate => new ClusterSimulation(stepProfile, settings).Run(options.Workload(result, rate)()), slo,
                records => options.Tiers(result, records.Records, records.Duration));
            if (result.GetValue(json) is { } path)
            {
                using var file = File.Create(path);
                SimJsonReport.Write(file, stepProfile, settings, result.GetValue(options.Dataset)!, simulation, summary, records, wallSeconds);
            }
            if (result.GetValue(plot) is { } directory)
            {
                Directory.CreateDirectory(directory);
                var charts = ServePlots.Write(directory, outcome).ToList();
                if (sweepRows is not null)
                    charts.Add(LoadSweep.Plot(directory, sweepRows, Describe(settings)));
                foreach (var chart in charts)
                    result.InvocationConfiguration.Error.WriteLine($"wrote {chart}");
            }
            return summary.Completed > 0 ? 0 : CliRunner.Failure;
        }));
        return command;
    }

    /// <summary>N colocated nodes, or xP+yD with the transfer flags; a flag of the other topology is refused rather than ignored.</summary>
    private static ClusterSettings Topology(ParseResult result, SimOptions options, Option<int> nodes, Option<int?> prefill, Option<int?> decode, NodeSettings node)
    {
        var (p, d) = (result.GetValue(prefill), result.GetValue(decode));
        if (p is null && d is null)
        {
            options.NoDisaggregation(result);
            return new ClusterSettings(result.GetValue(nodes), options.Policy(result), node);
        }
        if (p is null || d is null)
            throw new ArgumentException("an xP+yD cluster needs both --prefill X and --decode Y");
        if (result.GetResult(nodes) is { Implicit: false })
            throw new ArgumentException("--nodes counts colocated nodes; with --prefill and --decode leave it out");
        return new ClusterSettings(OptionRules.Positive(d.Value, "--decode"), options.Policy(result), node,
            Disaggregation: options.Handoff(result, OptionRules.Positive(p.Value, "--prefill")));
    }

    public static string Describe(ClusterSettings settings) =>
        settings.Disaggregation is { } d ? $"{d.PrefillNodes}P+{settings.Nodes}D" : $"{settings.Nodes} node(s)";

    private static double[] SweepRates(string list)
    {
        var rates = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate)
                ? rate
                : throw new ArgumentException($"--sweep-rates takes positive request rates like 1,2,4, got '{text}'")).ToArray();
        return rates.Length > 0 ? [.. rates.Order()] : throw new ArgumentException("--sweep-rates needs at least one rate");
    }
}
