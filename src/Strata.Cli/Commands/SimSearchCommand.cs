using System.CommandLine;
using System.Globalization;
using Strata.Cli.ServeBenchmark;
using Strata.Plots;
using Strata.Simulation;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata sim search</c>: the cheapest topology that serves a workload within its SLOs (<c>--goodput</c>) for at
/// least the given share of requests — the fewest nodes, then the smallest host tier. Attainment grows with nodes, so
/// the search halves the range between a count that misses and one that meets; at each count it tries the host tier
/// sizes from the smallest and, with <c>--pd</c>, every xP+yD split of the count after the colocated nodes, simulating
/// each, and prints them all.
/// </summary>
internal static class SimSearchCommand
{
    private sealed record Trial(int Nodes, int PrefillNodes, int HostBlocks, double Attainment, double Goodput, double TtftP90, double TpotP90);

    public static Command Create()
    {
        var options = new SimOptions();
        var maxNodes = new Option<int>("--max-nodes") { Description = "The most nodes to consider", DefaultValueFactory = _ => 64 }.MustBePositive();
        var attainment = new Option<double>("--attainment") { Description = "Share of requests that must meet every SLO of --goodput", DefaultValueFactory = _ => 0.9 };
        var pd = new Option<bool>("--pd") { Description = "Also try every xP+yD split of each node count (needs --transfer-bandwidth and --kv-block-bytes)" };
        var hostChoices = new Option<string?>("--host-blocks-choices") { Description = "Host tier sizes to try per node, in blocks (e.g. 0,4096,16384); the smallest that meets wins", HelpName = "b1,b2,…" };
        var plot = new Option<string?>("--plot") { Description = "Also draw goodput against node count (nodes-vs-goodput.png) into this directory", HelpName = "dir" };
        var command = new Command("search", "Find the cheapest topology (nodes, P:D split, host tier) that serves a workload within its SLOs (--goodput) for --attainment of requests")
        {
            maxNodes, attainment, pd, hostChoices, plot,
        };
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
            var splits = result.GetValue(pd);
            if (!splits)
                options.NoDisaggregation(result);
            var handoff = splits ? options.Handoff(result, 1) : null;
            int[] hosts = result.GetValue(hostChoices) is { } list ? HostChoices(list, result, options) : [node.HostBlocks];
            var output = result.InvocationConfiguration.Output;
            output.WriteLine($"{"topology",10} {"host blocks",12} {"attainment",11} {"goodput req/s",14} {"P90 TTFT ms",12} {"P90 TPOT ms",12}");
            var trials = new List<Trial>();

            Trial Simulate(int nodes, int prefillNodes, int hostBlocks)
            {
                var settings = new ClusterSettings(nodes - prefillNodes, policy, node with { HostBlocks = hostBlocks },
                    Disaggregation: prefillNodes == 0 ? null : handoff! with { PrefillNodes = prefillNodes });
                var simulation = new ClusterSimulation(profile, settings).Run(workload());
                var records = simulation.Outcomes.Select(SimOptions.Record).ToArray();
                var summary = BenchmarkSummary.From(records, TimeSpan.FromSeconds(simulation.DurationSeconds), slo);
                var trial = new Trial(nodes, prefillNodes, hostBlocks, (double)records.Count(slo.IsMetBy) / records.Length, summary.Goodput ?? 0, summary.Ttft.P90, summary.Tpot.P90);
                trials.Add(trial);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{SimCommand.Describe(settings),10} {hostBlocks,12} {trial.Attainment,11:P1} {trial.Goodput,14:F2} {trial.TtftP90,12:F1} {trial.TpotP90,12:F1}"));
                return trial;
            }

            // The cheapest way to meet the SLOs with this many nodes: the smallest host tier first, colocated before any split.
            Trial? Cheapest(int nodes)
            {
                foreach (var host in hosts)
                {
                    for (var prefillNodes = 0; prefillNodes < (splits ? nodes : 1); prefillNodes++)
                    {
                        if (Simulate(nodes, prefillNodes, host) is { } trial && trial.Attainment >= target)
                            return trial;
                    }
                }
                return null;
            }

            var most = result.GetValue(maxNodes);
            var best = Cheapest(most);
            if (best is null)
                output.WriteLine($"Not met: even {most} nodes serve fewer than {target:P1} of requests within the SLOs.");
            else
            {
                // Invariant: `low` nodes miss (0 always does), `high` nodes meet.
                int low = 0, high = most;
                while (high - low > 1)
                {
                    var mid = low + (high - low) / 2;
                    if (Cheapest(mid) is { } met)
                        (high, best) = (mid, met);
                    else
                        low = mid;
                }
                var topology = best.PrefillNodes == 0 ? $"{best.Nodes} colocated node(s)" : $"{best.PrefillNodes}P+{best.Nodes - best.PrefillNodes}D";
                output.WriteLine($"Cheapest: {topology} ({result.GetValue(options.Router)}, {node.KvBlocks} KV blocks and {best.HostBlocks} host blocks each) meet the SLOs for {target:P1} of requests.");
            }
            if (result.GetValue(plot) is { } directory)
                result.InvocationConfiguration.Error.WriteLine($"wrote {Plot(directory, trials)}");
            return best is null ? CliRunner.Failure : 0;
        }));
        return command;
    }

    private static int[] HostChoices(string list, ParseResult result, SimOptions options)
    {
        if (result.GetResult(options.HostBlocks) is { Implicit: false })
            throw new ArgumentException("give the host tier's size by --host-blocks or --host-blocks-choices, not both");
        var choices = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(text =>
            int.TryParse(text, CultureInfo.InvariantCulture, out var blocks) && blocks >= 0
                ? blocks
                : throw new ArgumentException($"--host-blocks-choices takes block counts like 0,4096, got '{text}'")).Distinct().Order().ToArray();
        return choices.Length > 0 ? choices : throw new ArgumentException("--host-blocks-choices needs at least one size");
    }

    /// <summary>Goodput against node count: the colocated trials, and the best split of each count tried with --pd.</summary>
    private static string Plot(string directory, IReadOnlyList<Trial> trials)
    {
        var path = Path.Combine(directory, "nodes-vs-goodput.png");
        (string, double[], double[]) Series(string label, IEnumerable<Trial> chosen)
        {
            var best = chosen.GroupBy(t => t.Nodes).Select(g => (Nodes: g.Key, Goodput: g.Max(t => t.Goodput))).OrderBy(p => p.Nodes).ToArray();
            return (label, best.Select(p => (double)p.Nodes).ToArray(), best.Select(p => p.Goodput).ToArray());
        }
        Chart.Lines(path, "Goodput against node count (requests/s within the SLOs)", "nodes", "goodput, requests/s",
        [
            Series("colocated", trials.Where(t => t.PrefillNodes == 0)),
            Series("best xP+yD split", trials.Where(t => t.PrefillNodes > 0)),
        ]);
        return path;
    }
}
