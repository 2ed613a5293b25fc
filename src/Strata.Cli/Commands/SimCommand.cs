using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Strata.Cli.ServeBenchmark;
using Strata.Simulation;
using Strata.Simulation.Routing;
using Strata.Simulation.Workloads;

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
        var profile = new Option<string>("--profile") { Description = "Step cost profile written by strata profile", Required = true };
        var nodes = new Option<int>("--nodes") { Description = "Colocated nodes", DefaultValueFactory = _ => 1 }.MustBePositive();
        var router = new Option<string>("--router") { Description = "How requests are routed: round-robin, or kv-aware (cached prefix and queued work)", DefaultValueFactory = _ => "round-robin" }
            .AcceptOnlyFromAmong("round-robin", "kv-aware");
        var kvBlocks = new Option<int?>("--kv-blocks") { Description = "KV blocks per node (default: the profiled server's)" };
        var batchedTokens = new Option<int?>("--max-num-batched-tokens") { Description = "Token budget of one step (default: the profiled server's)" };
        var sequences = new Option<int?>("--max-num-seqs") { Description = "Sequences that may run at once per node (default: the profiled server's)" };
        var noPrefixCache = new Option<bool>("--no-prefix-cache") { Description = "Do not reuse the KV of cached prompt prefixes" };
        var dataset = new Option<string>("--dataset") { Description = "random, shared-prefix, or a trace to replay: mooncake (JSONL) or azure (CSV)", DefaultValueFactory = _ => "random" }
            .AcceptOnlyFromAmong("random", "shared-prefix", "mooncake", "azure");
        var trace = new Option<string?>("--trace") { Description = "The trace file of --dataset mooncake or azure" };
        var numPrompts = new Option<int>("--num-prompts") { Description = "Requests to send (random dataset)", DefaultValueFactory = _ => 1000 };
        var requestRate = new Option<double>("--request-rate")
        {
            Description = "Mean arrivals per second, or inf to send everything at once",
            DefaultValueFactory = _ => double.PositiveInfinity,
            CustomParser = BenchServeCommand.ParseRate,
        };
        var burstiness = new Option<double>("--burstiness") { Description = "Gamma shape of the arrival gaps: 1 is Poisson, below 1 burstier", DefaultValueFactory = _ => 1 };
        var inputLength = new Option<int>("--random-input-len") { Description = "Prompt tokens per request (random dataset)", DefaultValueFactory = _ => 1024 };
        var outputLength = new Option<int>("--random-output-len") { Description = "Tokens to generate per request", DefaultValueFactory = _ => 128 };
        var rangeRatio = new Option<double>("--random-range-ratio") { Description = "Draw lengths uniformly from L·(1 ± ratio) (random dataset)", DefaultValueFactory = _ => 0 };
        var groups = new Option<int>("--shared-prefix-groups") { Description = "Distinct system prompts (shared-prefix dataset)", DefaultValueFactory = _ => 8 };
        var prefixLength = new Option<int>("--shared-prefix-len") { Description = "Tokens per system prompt (shared-prefix dataset)", DefaultValueFactory = _ => 512 };
        var questions = new Option<int>("--questions-per-group") { Description = "Questions after each system prompt (shared-prefix dataset)", DefaultValueFactory = _ => 8 };
        var questionLength = new Option<int>("--question-len") { Description = "Tokens per question (shared-prefix dataset)", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seed of the prompts and the arrival times", DefaultValueFactory = _ => 0 };
        var goodput = new Option<string?>("--goodput") { Description = "SLOs for goodput in ms, e.g. ttft:500,tpot:50,e2e:5000" };
        var json = new Option<string?>("--json") { Description = "Also write settings, summary and per-request results to this JSON file" };
        var command = new Command("sim", "Simulate a cluster serving a workload, on the real scheduler and cache with a measured step cost")
        {
            profile, nodes, router, kvBlocks, batchedTokens, sequences, noPrefixCache, dataset, trace, numPrompts, requestRate, burstiness,
            inputLength, outputLength, rangeRatio, groups, prefixLength, questions, questionLength, seed, goodput, json,
        };
        command.SetAction(result => CliRunner.Run(() =>
        {
            var stepProfile = StepProfile.Load(result.GetValue(profile)!);
            var node = NodeSettings.From(stepProfile);
            node = node with
            {
                KvBlocks = result.GetValue(kvBlocks) is { } blocks ? OptionRules.Positive(blocks, "--kv-blocks") : node.KvBlocks,
                MaxBatchedTokens = result.GetValue(batchedTokens) is { } budget ? OptionRules.Positive(budget, "--max-num-batched-tokens") : node.MaxBatchedTokens,
                MaxSequences = result.GetValue(sequences) is { } count ? OptionRules.Positive(count, "--max-num-seqs") : node.MaxSequences,
                PrefixCaching = !result.GetValue(noPrefixCache),
            };
            var policy = result.GetValue(router) == "kv-aware" ? RouterPolicy.KvAware : RouterPolicy.RoundRobin;
            var settings = new ClusterSettings(result.GetValue(nodes), policy, node);
            var datasetName = result.GetValue(dataset)!;
            var tracePath = result.GetValue(trace);
            if (datasetName is "mooncake" or "azure" && tracePath is null)
                throw new ArgumentException($"--dataset {datasetName} needs --trace FILE");
            if (datasetName is "random" or "shared-prefix" && tracePath is not null)
                throw new ArgumentException($"--trace applies only to --dataset mooncake or azure");
            var workload = datasetName switch
            {
                "mooncake" => Trace(() => MooncakeTrace.Read(tracePath!), tracePath!),
                "azure" => Trace(() => AzureTrace.Read(tracePath!), tracePath!),
                _ => Generated(Dataset(result, datasetName, numPrompts, inputLength, outputLength, rangeRatio, groups, prefixLength, questions, questionLength),
                    result.GetValue(requestRate), OptionRules.Positive(result.GetValue(burstiness), "--burstiness"), result.GetValue(seed)),
            };
            var slo = result.GetValue(goodput) is { } text ? GoodputSlo.Parse(text) : null;

            var wall = Stopwatch.StartNew();
            var simulation = new ClusterSimulation(stepProfile, settings).Run(workload);
            var wallSeconds = wall.Elapsed.TotalSeconds;

            var records = simulation.Outcomes.Select(Record).ToArray();
            var duration = TimeSpan.FromSeconds(simulation.DurationSeconds);
            var summary = BenchmarkSummary.From(records, duration, slo);
            var description = $"simulated: {settings.Nodes} node(s), {result.GetValue(router)}, {node.KvBlocks} KV blocks each";
            var output = result.InvocationConfiguration.Output;
            TableReport.Write(output, new BenchmarkOutcome(stepProfile.Model, description, null, new BenchmarkRun(records, duration), summary));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"Prefix cache hit rate (prompt tokens):",-40} {simulation.CacheHitRate:P1}\n{"Steps simulated:",-40} {simulation.Steps}\n{"Simulation wall time (s):",-40} {wallSeconds:F2}"));
            if (result.GetValue(json) is { } path)
            {
                using var file = File.Create(path);
                SimJsonReport.Write(file, stepProfile, settings, datasetName, simulation, summary, records, wallSeconds);
            }
            return summary.Completed > 0 ? 0 : CliRunner.Failure;
        }));
        return command;
    }

    private static BenchmarkDataset Dataset(ParseResult result, string name, Option<int> numPrompts, Option<int> inputLength, Option<int> outputLength,
        Option<double> rangeRatio, Option<int> groups, Option<int> prefixLength, Option<int> questions, Option<int> questionLength) => name switch
    {
        "shared-prefix" when result.GetResult(numPrompts) is { Implicit: false } =>
            throw new ArgumentException("--num-prompts does not apply to shared-prefix, which sends groups × questions"),
        "shared-prefix" => new SharedPrefixDataset(
            OptionRules.Positive(result.GetValue(groups), "--shared-prefix-groups"),
            OptionRules.Positive(result.GetValue(prefixLength), "--shared-prefix-len"),
            OptionRules.Positive(result.GetValue(questions), "--questions-per-group"),
            OptionRules.Positive(result.GetValue(questionLength), "--question-len"),
            OptionRules.Positive(result.GetValue(outputLength), "--random-output-len")),
        _ => new RandomDataset(
            OptionRules.Positive(result.GetValue(numPrompts), "--num-prompts"),
            BenchServeCommand.Lengths(result.GetValue(inputLength), "--random-input-len", result.GetValue(rangeRatio)),
            BenchServeCommand.Lengths(result.GetValue(outputLength), "--random-output-len", result.GetValue(rangeRatio))),
    };

    /// <summary>The dataset's requests at bench serve's send times: the same random streams, so the same lengths and arrivals.</summary>
    private static IEnumerable<SimRequest> Generated(BenchmarkDataset dataset, double rate, double burstiness, int seed)
    {
        var prompts = dataset.TokenPrompts(new Random(seed));
        var count = dataset switch { RandomDataset r => r.Count, SharedPrefixDataset s => s.Groups * s.QuestionsPerGroup, _ => 0 };
        var times = ArrivalSchedule.SendTimes(count, rate, burstiness, new Random(seed + 1));
        return prompts.Select((p, i) => new SimRequest(times[i].TotalSeconds, p.Tokens, p.MaxTokens));
    }

    private static IEnumerable<SimRequest> Trace(Func<IEnumerable<SimRequest>> read, string path)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            throw new ArgumentException($"--trace {path}: {ex.Message}", ex);
        }
    }

    private static RequestRecord Record(RequestOutcome o) => o.Error is { } error
        ? RequestRecord.Failure(error) with { SentAt = TimeSpan.FromSeconds(o.ArrivalSeconds) }
        : new RequestRecord
        {
            SentAt = TimeSpan.FromSeconds(o.ArrivalSeconds),
            PromptTokens = o.PromptTokens,
            OutputTokens = o.OutputTokens,
            CachedTokens = o.CachedTokens,
            TimeToFirstToken = TimeSpan.FromSeconds(o.TtftSeconds),
            InterTokenLatencies = Array.ConvertAll(o.InterTokenMs, ms => TimeSpan.FromMilliseconds(ms)),
            EndToEnd = TimeSpan.FromSeconds(o.EndToEndSeconds),
        };
}
