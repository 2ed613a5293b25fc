using System.CommandLine;
using System.Globalization;
using Strata.Cli.ServeBenchmark;
using Strata.Simulation;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata sim search</c>: the fewest colocated nodes that serve a workload within its SLOs (<c>--goodput</c>) for
/// at least the given share of requests. Attainment grows with nodes, so the search halves the range between a count
/// that misses and one that meets, simulating each count it tries, and prints them all.
/// </summary>
internal static class SimSearchCommand
{
    public static Command Create()
    {
        var options = new SimOptions();
        var maxNodes = new Option<int>("--max-nodes") { Description = "The most nodes to consider", DefaultValueFactory = _ => 64 }.MustBePositive();
        var attainment = new Option<double>("--attainment") { Description = "Share of requests that must meet every SLO of --goodput", DefaultValueFactory = _ => 0.9 };
        var command = new Command("search", "Find the fewest nodes that serve a workload within its SLOs (--goodput) for --attainment of requests") { maxNodes, attainment };
        foreach (var option in options.All)
            command.Options.Add(option);
        command.SetAction(result => CliRunner.Run(() =>
        {
            var profile = StepProfile.Load(result.GetValue(options.Profile)!);
            var node = options.Node(result, profile);
            var policy = options.Policy(result);
            var workload = options.Workload(result);
            var slo = options.Load.Slo(result) ?? throw new ArgumentException("sim search needs the SLOs to meet: --goodput ttft:MS,tpot:MS,e2e:MS");
            var target = result.GetValue(attainment);
            if (target is <= 0 or > 1)
                throw new ArgumentException($"--attainment must be in (0, 1], got {target}");
            var output = result.InvocationConfiguration.Output;
            output.WriteLine($"{"nodes",6} {"attainment",11} {"goodput req/s",14} {"P90 TTFT ms",12} {"P90 TPOT ms",12}");

            double Attainment(int nodes)
            {
                var simulation = new ClusterSimulation(profile, new ClusterSettings(nodes, policy, node)).Run(workload());
                var records = simulation.Outcomes.Select(SimOptions.Record).ToArray();
                var summary = BenchmarkSummary.From(records, TimeSpan.FromSeconds(simulation.DurationSeconds), slo);
                var met = (double)records.Count(slo.IsMetBy) / records.Length;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{nodes,6} {met,11:P1} {summary.Goodput ?? 0,14:F2} {summary.Ttft.P90,12:F1} {summary.Tpot.P90,12:F1}"));
                return met;
            }

            var most = result.GetValue(maxNodes);
            if (Attainment(most) < target)
            {
                output.WriteLine($"Not met: even {most} nodes serve fewer than {target:P1} of requests within the SLOs.");
                return CliRunner.Failure;
            }
            // Invariant: `low` nodes miss (0 always does), `high` nodes meet.
            int low = 0, high = most;
            while (high - low > 1)
            {
                var mid = low + (high - low) / 2;
                if (Attainment(mid) >= target)
                    high = mid;
                else
                    low = mid;
            }
            output.WriteLine($"Cheapest: {high} node(s) ({result.GetValue(options.Router)}, {node.KvBlocks} KV blocks each) meet the SLOs for {target:P1} of requests.");
            return 0;
        }));
        return command;
    }
}
