using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Commands;

/// <summary>
/// The workload flags <c>strata bench serve</c> and <c>strata sim</c> share (vLLM's names): the random and
/// shared-prefix datasets' shapes, the arrival process, the seed and the goodput SLOs — one definition, so one command
/// line describes the same load for the real server and the simulation.
/// </summary>
internal sealed class WorkloadOptions
{
    public Option<int> NumPrompts { get; } = new("--num-prompts") { Description = "Requests to send (random dataset)", DefaultValueFactory = _ => 1000 };

    public Option<double> RequestRate { get; } = new("--request-rate")
    {
        Description = "Mean arrivals per second, or inf to send everything at once",
        DefaultValueFactory = _ => double.PositiveInfinity,
        CustomParser = ParseRate,
    };

    public Option<double> Burstiness { get; } = new("--burstiness") { Description = "Gamma shape of the arrival gaps: 1 is Poisson, below 1 burstier", DefaultValueFactory = _ => 1 };

    public Option<int> InputLength { get; } = new("--random-input-len") { Description = "Prompt tokens per request (random dataset)", DefaultValueFactory = _ => 1024 };

    public Option<int> OutputLength { get; } = new("--random-output-len") { Description = "Tokens to generate per request (max_tokens)", DefaultValueFactory = _ => 128 };

    public Option<double> RangeRatio { get; } = new("--random-range-ratio") { Description = "Draw lengths uniformly from L·(1 ± ratio) (random dataset)", DefaultValueFactory = _ => 0 };

    public Option<int> Groups { get; } = new("--shared-prefix-groups") { Description = "Distinct system prompts (shared-prefix dataset)", DefaultValueFactory = _ => 8 };

    public Option<int> PrefixLength { get; } = new("--shared-prefix-len") { Description = "Tokens per system prompt (shared-prefix dataset)", DefaultValueFactory = _ => 512 };

    public Option<int> Questions { get; } = new("--questions-per-group") { Description = "Questions after each system prompt (shared-prefix dataset)", DefaultValueFactory = _ => 8 };

    public Option<int> QuestionLength { get; } = new("--question-len") { Description = "Tokens per question (shared-prefix dataset)", DefaultValueFactory = _ => 64 };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the prompts and the arrival times", DefaultValueFactory = _ => 0 };

    public Option<string?> Goodput { get; } = new("--goodput") { Description = "SLOs for goodput in ms, e.g. ttft:500,tpot:50,e2e:5000" };

    public IEnumerable<Option> All => [NumPrompts, RequestRate, Burstiness, InputLength, OutputLength, RangeRatio, Groups, PrefixLength, Questions, QuestionLength, Seed, Goodput];

    /// <summary>The random or shared-prefix dataset the flags describe.</summary>
    public BenchmarkDataset Dataset(ParseResult result, string name) => name switch
    {
        "shared-prefix" when result.GetResult(NumPrompts) is { Implicit: false } =>
            throw new ArgumentException("--num-prompts does not apply to shared-prefix, which sends groups × questions"),
        "shared-prefix" => new SharedPrefixDataset(
            OptionRules.Positive(result.GetValue(Groups), "--shared-prefix-groups"),
            OptionRules.Positive(result.GetValue(PrefixLength), "--shared-prefix-len"),
            OptionRules.Positive(result.GetValue(Questions), "--questions-per-group"),
            OptionRules.Positive(result.GetValue(QuestionLength), "--question-len"),
            OptionRules.Positive(result.GetValue(OutputLength), "--random-output-len")),
        _ => new RandomDataset(
            OptionRules.Positive(result.GetValue(NumPrompts), "--num-prompts"),
            Lengths(result.GetValue(InputLength), "--random-input-len", result.GetValue(RangeRatio)),
            Lengths(result.GetValue(OutputLength), "--random-output-len", result.GetValue(RangeRatio))),
    };

    public double Burst(ParseResult result) => OptionRules.Positive(result.GetValue(Burstiness), "--burstiness");

    public GoodputSlo? Slo(ParseResult result) => result.GetValue(Goodput) is { } objectives ? GoodputSlo.Parse(objectives) : null;

    private static double ParseRate(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase))
            return double.PositiveInfinity;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0)
            return rate;
        result.AddError($"--request-rate must be a positive number or inf, got '{text}'");
        return 0;
    }

    private static LengthRange Lengths(int target, string name, double rangeRatio)
    {
        if (rangeRatio is < 0 or >= 1)
            throw new ArgumentException($"--random-range-ratio must be in [0, 1), got {rangeRatio}");
        return new LengthRange(OptionRules.Positive(target, name), rangeRatio);
    }
}
