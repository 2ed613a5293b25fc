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
        var json = new Option<string?>("--json") { Description = "Also write settings, summary and per-request results to this JSON file" };
        var plot = new Option<string?>("--plot") { Description = "Also draw bench serve's PNG charts into this directory: TTFT and inter-token latency CDFs, throughput over time", HelpName = "dir" };
        var command = new Command("sim", "Simulate a cluster serving a workload, on the real scheduler and cache with a measured step cost") { nodes, json, plot };
        foreach (var option in options.All)
            command.Options.Add(option);
        command.Subcommands.Add(SimSearchCommand.Create());
        command.SetAction(result => CliRunner.Run(() =>
        {
            var stepProfile = StepProfile.Load(result.GetValue(options.Profile)!);
            var node = options.Node(result, stepProfile);
            var settings = new ClusterSettings(result.GetValue(nodes), options.Policy(result), node);
            var workload = options.Workload(result)();
            var slo = options.Load.Slo(result);

            var wall = Stopwatch.StartNew();
            var simulation = new ClusterSimulation(stepProfile, settings).Run(workload);
            var wallSeconds = wall.Elapsed.TotalSeconds;

            var records = simulation.Outcomes.Select(SimOptions.Record).ToArray();
            var duration = TimeSpan.FromSeconds(simulation.DurationSeconds);
            var summary = BenchmarkSummary.From(records, duration, slo);
            var description = $"simulated: {settings.Nodes} node(s), {result.GetValue(options.Router)}, {node.KvBlocks} KV blocks each";
            var output = result.InvocationConfiguration.Output;
            var outcome = new BenchmarkOutcome(stepProfile.Model, description, null, new BenchmarkRun(records, duration), summary);
            TableReport.Write(output, outcome);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"Prefix cache hit rate (prompt tokens):",-40} {simulation.CacheHitRate:P1}\n{"Steps simulated:",-40} {simulation.Steps}\n{"Simulation wall time (s):",-40} {wallSeconds:F2}"));
            if (result.GetValue(json) is { } path)
            {
                using var file = File.Create(path);
                SimJsonReport.Write(file, stepProfile, settings, result.GetValue(options.Dataset)!, simulation, summary, records, wallSeconds);
            }
            if (result.GetValue(plot) is { } directory)
            {
                Directory.CreateDirectory(directory);
                foreach (var chart in ServePlots.Write(directory, outcome))
                    result.InvocationConfiguration.Error.WriteLine($"wrote {chart}");
            }
            return summary.Completed > 0 ? 0 : CliRunner.Failure;
        }));
        return command;
    }
}
