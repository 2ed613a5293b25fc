using System.CommandLine;
using Strata.Cli.ServeBenchmark;
using Strata.Engine.Control;
using Strata.Models.Gguf;
using Strata.Models.Tokenizers;
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

    public Option<string?> TokenizerModel { get; } = new("--tokenizer")
    {
        Description = "The random or shared-prefix prompts as bench serve sends them to a server of this model, tokenized by its tokenizer (default: one token per word)",
        HelpName = "model",
    };

    public Option<int> HostBlocks { get; } = new Option<int>("--host-blocks") { Description = "KV blocks each node's host-memory tier holds (LRU, fed by the pool's evictions)" }.MustNotBeNegative();

    public Option<int> DiskBlocks { get; } = new Option<int>("--disk-blocks") { Description = "KV blocks each node's disk tier holds (written through as blocks fill)" }.MustNotBeNegative();

    public Option<long?> TransferBandwidth { get; } = SizeOption.Create("--transfer-bandwidth", "Bytes per second a prefill node's link moves KV blocks to decode nodes at, e.g. 1.25GB (10 Gb/s)");

    public Option<long?> BlockBytes { get; } = SizeOption.Create("--kv-block-bytes", "Bytes of one KV block as it crosses (the model's KV bytes per token, from strata inspect, times the block size)");

    public Option<int> DisaggregationThreshold { get; } = new Option<int>("--disagg-threshold")
    {
        Description = "A prompt goes to a prefill node when its decode node would compute at least this many of its tokens (the router's)",
        DefaultValueFactory = _ => 256,
    }.MustNotBeNegative();

    public Option<string?> TierMix { get; } = new("--tier-mix") { Description = "Service tiers in these shares, e.g. priority=0.2,default=0.5,flex=0.3; attainment and goodput per tier" };

    public Option<string[]> Slo { get; } = SloOption.Create(new ServiceLevels());

    public Option<bool> EarlyRejection { get; } = new("--early-rejection") { Description = "Nodes refuse at once a request predicted to miss its tier's time-to-first-token target (serve's flag)" };

    public WorkloadOptions Load { get; } = new();

    public IEnumerable<Option> All =>
    [
        Profile, Router, KvBlocks, BatchedTokens, Sequences, NoPrefixCache, HostBlocks, DiskBlocks, TransferBandwidth, BlockBytes, DisaggregationThreshold,
        TierMix, Slo, EarlyRejection, Dataset, Trace, TokenizerModel, .. Load.All,
    ];

    /// <summary>The service levels every node runs with: serve's defaults with the --slo targets and --early-rejection.</summary>
    public ServiceLevels Levels(ParseResult result) =>
        SloOption.Apply(new ServiceLevels(), result.GetValue(Slo) ?? []) with { EarlyRejection = result.GetValue(EarlyRejection) };

    /// <summary>The hand-off of an xP+yD cluster with <paramref name="prefillNodes"/> prefill nodes, from the transfer flags.</summary>
    public Simulation.Disaggregation Handoff(ParseResult result, int prefillNodes)
    {
        var bandwidth = result.GetValue(TransferBandwidth) ?? throw new ArgumentException("--prefill needs --transfer-bandwidth (bytes per second between prefill and decode nodes, e.g. 1.25GB)");
        var blockBytes = result.GetValue(BlockBytes) ?? throw new ArgumentException("--prefill needs --kv-block-bytes (the bytes of one KV block of the model)");
        return new Simulation.Disaggregation(prefillNodes, bandwidth, blockBytes, result.GetValue(DisaggregationThreshold));
    }

    /// <summary>Refuses the transfer flags where there are no prefill nodes, rather than ignore them.</summary>
    public void NoDisaggregation(ParseResult result)
    {
        foreach (var option in new Option[] { TransferBandwidth, BlockBytes, DisaggregationThreshold })
        {
            if (result.GetResult(option) is { Implicit: false })
                throw new ArgumentException($"{option.Name} applies only to an xP+yD cluster (--prefill X --decode Y)");
        }
    }

    /// <summary>The requests' tier summaries, when the workload has a tier mix; empty otherwise.</summary>
    public IReadOnlyList<TierSummary> Tiers(ParseResult result, IReadOnlyList<RequestRecord> records, TimeSpan duration) =>
        result.GetValue(TierMix) is null ? [] : TierSummary.From(records, duration, Levels(result));

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
            HostBlocks = result.GetValue(HostBlocks),
            DiskBlocks = result.GetValue(DiskBlocks),
            Levels = Levels(result),
        };
    }

    /// <summary>The workload the flags describe, read afresh at each call (a search runs it once per topology it tries).</summary>
    /// <param name="rate">A request rate in place of --request-rate (a load sweep's); only for the generated datasets.</param>
    public Func<IEnumerable<SimRequest>> Workload(ParseResult result, double? rate = null)
    {
        var mix = result.GetValue(TierMix) is { } text ? ServeBenchmark.TierMix.Parse(text) : null;
        var requests = Requests(result, rate);
        var seed = result.GetValue(Load.Seed);
        // As bench serve draws them: each request's tier from its own stream, so the mix moves no prompt or arrival.
        return mix is null ? requests : () => WithTiers(requests(), mix, new Random(seed + 2));
    }

    private static IEnumerable<SimRequest> WithTiers(IEnumerable<SimRequest> requests, ServeBenchmark.TierMix mix, Random random) =>
        requests.Select(r => r with { Tier = mix.Draw(random) });

    private Func<IEnumerable<SimRequest>> Requests(ParseResult result, double? sweptRate)
    {
        var datasetName = result.GetValue(Dataset)!;
        var tracePath = result.GetValue(Trace);
        if (datasetName is "mooncake" or "azure" && tracePath is null)
            throw new ArgumentException($"--dataset {datasetName} needs --trace FILE");
        if (datasetName is "random" or "shared-prefix" && tracePath is not null)
            throw new ArgumentException("--trace applies only to --dataset mooncake or azure");
        if (datasetName is "mooncake" or "azure" && result.GetValue(TokenizerModel) is not null)
            throw new ArgumentException("--tokenizer applies only to the random and shared-prefix datasets: a trace gives its own lengths");
        if (datasetName is "mooncake" or "azure")
        {
            if (sweptRate is not null)
                throw new ArgumentException("--sweep-rates applies to the random and shared-prefix datasets: a trace keeps its own arrival times");
            Func<IEnumerable<SimRequest>> read = datasetName == "mooncake" ? () => MooncakeTrace.Read(tracePath!) : () => AzureTrace.Read(tracePath!);
            return () => TraceOf(read, tracePath!);
        }
        var dataset = Load.Dataset(result, datasetName);
        var rate = sweptRate ?? result.GetValue(Load.RequestRate);
        var burstiness = Load.Burst(result);
        var seed = result.GetValue(Load.Seed);
        if (result.GetValue(TokenizerModel) is { } model)
        {
            var tokenizer = LoadTokenizer(ModelOption.Resolve(model));
            return () => Tokenized(dataset, tokenizer, rate, burstiness, seed);
        }
        return () => Generated(dataset, rate, burstiness, seed);
    }

    private static Tokenizer LoadTokenizer(string path)
    {
        using var file = GgufFile.Open(path);
        return Tokenizer.FromGguf(file.Metadata);
    }

    /// <summary>
    /// bench serve's requests as it sends them to a server of the tokenizer's model — its texts from the same random
    /// stream, sized by the tokens per word it would measure — as the server tokenizes a completion's prompt: a real
    /// tokenizer makes a prompt aimed at 128 tokens 127 to 131, and at a multiple of the step budget one token more is one
    /// more prefill step, which one token per word never shows.
    /// </summary>
    private static IEnumerable<SimRequest> Tokenized(BenchmarkDataset dataset, Tokenizer tokenizer, double rate, double burstiness, int seed)
    {
        int[] Encode(string text) => tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        var estimate = TokenCalibration.MeasureAsync(words => Task.FromResult(Encode(string.Join(' ', words)).Length)).GetAwaiter().GetResult()
            ?? TokenEstimate.OneTokenPerWord;
        var requests = dataset.Create(estimate, new Random(seed));
        var times = ArrivalSchedule.SendTimes(requests.Length, rate, burstiness, new Random(seed + 1));
        return requests.Select((r, i) => new SimRequest(times[i].TotalSeconds, Encode(r.CompletionText), r.MaxTokens));
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
        ? RequestRecord.Failure(error) with { SentAt = TimeSpan.FromSeconds(o.ArrivalSeconds), Tier = o.Tier, Status = o.Refused ? 429 : null }
        : new RequestRecord
        {
            SentAt = TimeSpan.FromSeconds(o.ArrivalSeconds),
            Tier = o.Tier,
            PromptTokens = o.PromptTokens,
            OutputTokens = o.OutputTokens,
            CachedTokens = o.CachedTokens,
            TimeToFirstToken = TimeSpan.FromSeconds(o.TtftSeconds),
            InterTokenLatencies = new MillisecondGaps(o.InterTokenMs),
            EndToEnd = TimeSpan.FromSeconds(o.EndToEndSeconds),
        };
}
