using System.CommandLine;
using Strata.Cli.ServeBenchmark;
using Strata.Simulation;
using Strata.Simulation.Routing;
using Strata.Simulation.Workloads;

namespace Strata.Cli.Commands;

/// <summary>
/// The flags <c>strata sim</c> and <c>strata sim search</c> share: the profile, how each node is configured and how
/// requests are routed, and the workload (bench serve's flags, or a trace to replay).
/// </summary>
internal sealed class SimOptions
{
    public Option<string> Profile { get; } = new("--profile") { Description = "Step cost profile written by strata profile", Required = true };

    public Option<string> Router { get; } = new Option<string>("--router")
    {
        Description = "How requests are routed: round-robin, or kv-aware (cached prefix and queued work)",
        DefaultValueFactory = _ => "round-robin",
    }.AcceptOnlyFromAmong("round-robin", "kv-aware");

    public Option<int?> KvBlocks { get; } = new("--kv-blocks") { Description = "KV blocks per node (default: the profiled server's)" };

    public Option<int?> BatchedTokens { get; } = new("--max-num-batched-tokens") { Description = "Token budget of one step (default: the profiled server's)" };

    public Option<int?> Sequences { get; } = new("--max-num-seqs") { Description = "Sequences that may run at once per node (default: the profiled server's)" };

    public Option<bool> NoPrefixCache { get; } = new("--no-prefix-cache") { Description = "Do not reuse the KV of cached prompt prefixes" };

    public Option<string> Dataset { get; } = new Option<string>("--dataset")
    {
        Description = "random, shared-prefix, or a trace to replay: mooncake (JSONL) or azure (CSV)",
        DefaultValueFactory = _ => "random",
    }.AcceptOnlyFromAmong("random", "shared-prefix", "mooncake", "azure");

    public Option<string?> Trace { get; } = new("--trace") { Description = "The trace file of --dataset mooncake or azure" };

    public WorkloadOptions Load { get; } = new();

    public IEnumerable<Option> All => [Profile, Router, KvBlocks, BatchedTokens, Sequences, NoPrefixCache, Dataset, Trace, .. Load.All];

    public RouterPolicy Policy(ParseResult result) => result.GetValue(Router) == "kv-aware" ? RouterPolicy.KvAware : RouterPolicy.RoundRobin;

    /// <summary>Every node's settings: the profiled server's, with the flags given.</summary>
    public NodeSettings Node(ParseResult result, StepProfile profile)
    {
        var node = NodeSettings.From(profile);
        return node with
        {
            KvBlocks = result.GetValue(KvBlocks) is { } blocks ? OptionRules.Positive(blocks, "--kv-blocks") : node.KvBlocks,
            MaxBatchedTokens = result.GetValue(BatchedTokens) is { } budget ? OptionRules.Positive(budget, "--max-num-batched-tokens") : node.MaxBatchedTokens,
            MaxSequences = result.GetValue(Sequences) is { } count ? OptionRules.Positive(count, "--max-num-seqs") : node.MaxSequences,
            PrefixCaching = !result.GetValue(NoPrefixCache),
        };
    }

    /// <summary>The workload the flags describe, read afresh at each call (a search runs it once per topology it tries).</summary>
    public Func<IEnumerable<SimRequest>> Workload(ParseResult result)
    {
        var datasetName = result.GetValue(Dataset)!;
        var tracePath = result.GetValue(Trace);
        if (datasetName is "mooncake" or "azure" && tracePath is null)
            throw new ArgumentException($"--dataset {datasetName} needs --trace FILE");
        if (datasetName is "random" or "shared-prefix" && tracePath is not null)
            throw new ArgumentException("--trace applies only to --dataset mooncake or azure");
        if (datasetName is "mooncake" or "azure")
        {
            Func<IEnumerable<SimRequest>> read = datasetName == "mooncake" ? () => MooncakeTrace.Read(tracePath!) : () => AzureTrace.Read(tracePath!);
            return () => TraceOf(read, tracePath!);
        }
        var dataset = Load.Dataset(result, datasetName);
        var rate = result.GetValue(Load.RequestRate);
        var burstiness = Load.Burst(result);
        var seed = result.GetValue(Load.Seed);
        return () => Generated(dataset, rate, burstiness, seed);
    }

    /// <summary>The dataset's requests at bench serve's send times: the same random streams, so the same lengths and arrivals.</summary>
    private static IEnumerable<SimRequest> Generated(BenchmarkDataset dataset, double rate, double burstiness, int seed)
    {
        var prompts = dataset.TokenPrompts(new Random(seed));
        var count = dataset switch { RandomDataset r => r.Count, SharedPrefixDataset s => s.Groups * s.QuestionsPerGroup, _ => 0 };
        var times = ArrivalSchedule.SendTimes(count, rate, burstiness, new Random(seed + 1));
        return prompts.Select((p, i) => new SimRequest(times[i].TotalSeconds, p.Tokens, p.MaxTokens));
    }

    private static IEnumerable<SimRequest> TraceOf(Func<IEnumerable<SimRequest>> read, string path)
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

    /// <summary>A simulated request's outcome as bench serve records a request.</summary>
    public static RequestRecord Record(RequestOutcome o) => o.Error is { } error
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
