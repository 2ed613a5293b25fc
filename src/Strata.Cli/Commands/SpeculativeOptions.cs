using System.CommandLine;
using Strata.Engine.Speculation;

namespace Strata.Cli.Commands;

/// <summary>
/// The speculative decoding options <c>serve</c> and <c>generate</c> share: <c>--speculative ngram|suffix|draft</c>,
/// <c>--num-speculative-tokens</c>, <c>--ngram-min</c>/<c>--ngram-max</c>, <c>--draft-model</c> with its KV memory, the step limit, and <c>--speculative-always</c>.
/// </summary>
internal sealed class SpeculativeOptions
{
    private static readonly SpeculationOptions Defaults = new();

    private readonly Option<string?> _method = new("--speculative")
    {
        Description = "Speculative decoding: ngram (prompt lookup), suffix (recent requests' prompts and outputs) or draft (--draft-model) [default: off]",
    };

    private readonly Option<string?> _draftModel = new("--draft-model")
    {
        Description = "GGUF file of a smaller model with the same vocabulary, for --speculative draft", HelpName = "file",
    };

    private readonly Option<long?> _draftKvMemory = SizeOption.Create("--draft-kv-cache-memory",
        "Memory for the draft model's own KV cache, like 256MiB [default: as many blocks as the target's cache]");

    private readonly Option<int?> _tokens = new Option<int?>("--num-speculative-tokens")
    {
        Description = $"Most drafted tokens a sequence verifies per step [default: {SpeculationOptions.DefaultDrafts}; {SpeculationOptions.SuffixDefaultDrafts} for suffix, whose drafts the tree's counts size]",
    }.MustBePositive();

    private readonly Option<int> _ngramMin = new Option<int>("--ngram-min")
    {
        Description = "Shortest suffix the ngram method matches", DefaultValueFactory = _ => Defaults.NgramMin,
    }.MustBePositive();

    private readonly Option<int> _ngramMax = new Option<int>("--ngram-max")
    {
        Description = "Longest suffix the ngram method matches", DefaultValueFactory = _ => Defaults.NgramMax,
    }.MustBePositive();

    private readonly Option<int> _maxStepTokens = new Option<int>("--speculative-max-step-tokens")
    {
        Description = "Speculate only while a step's decoding sequences plus drafts stay within this many tokens",
        DefaultValueFactory = _ => Defaults.MaxStepTokens,
    }.MustBePositive();

    private readonly Option<bool> _always = new("--speculative-always")
    {
        Description = "Draft whenever the step limit allows, even where the step cost says drafts do not pay (to measure acceptance)",
    };

    public SpeculativeOptions() => _method.AcceptOnlyFromAmong("ngram", "suffix", "draft");

    public IEnumerable<Option> All => [_method, _tokens, _ngramMin, _ngramMax, _draftModel, _draftKvMemory, _maxStepTokens, _always];

    /// <summary>The engine's speculation settings, or null when <c>--speculative</c> was not given.</summary>
    public SpeculationOptions? Resolve(ParseResult result)
    {
        var draftModel = result.GetValue(_draftModel);
        if (result.GetValue(_method) is not { } method)
        {
            if (result.GetValue(_always))
                throw new ArgumentException("--speculative-always needs --speculative METHOD");
            return draftModel is null && result.GetValue(_draftKvMemory) is null
                ? null
                : throw new ArgumentException("--draft-model and --draft-kv-cache-memory need --speculative draft");
        }
        if (method == "draft" && draftModel is null)
            throw new ArgumentException("--speculative draft needs --draft-model FILE");
        if (draftModel is not null && !File.Exists(draftModel))
            throw new ArgumentException($"the draft model {draftModel} does not exist");
        var options = new SpeculationOptions
        {
            Method = method switch { "suffix" => SpeculativeMethod.Suffix, "draft" => SpeculativeMethod.Draft, _ => SpeculativeMethod.Ngram },
            DraftModelPath = draftModel,
            DraftKvCacheBytes = result.GetValue(_draftKvMemory) ?? 0,
            NgramMin = result.GetValue(_ngramMin),
            NgramMax = result.GetValue(_ngramMax),
            MaxStepTokens = result.GetValue(_maxStepTokens),
            CostAware = !result.GetValue(_always),
        };
        if (result.GetValue(_tokens) is { } tokens)
            options = options with { NumSpeculativeTokens = tokens };
        options.Validate();
        return options;
    }
}
