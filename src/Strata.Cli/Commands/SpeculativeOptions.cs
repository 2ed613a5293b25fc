using System.CommandLine;
using Strata.Engine.Speculation;

namespace Strata.Cli.Commands;

/// <summary>
/// The speculative decoding options <c>serve</c> and <c>generate</c> share: <c>--speculative ngram|suffix</c>,
/// <c>--num-speculative-tokens</c>, <c>--ngram-min</c>/<c>--ngram-max</c> and the step limit.
/// </summary>
internal sealed class SpeculativeOptions
{
    private static readonly SpeculationOptions Defaults = new();

    private readonly Option<string?> _method = new("--speculative")
    {
        Description = "Speculative decoding: ngram (prompt lookup) or suffix (recent requests' prompts and outputs) [default: off]",
    };

    private readonly Option<int> _tokens = new Option<int>("--num-speculative-tokens")
    {
        Description = "Most drafted tokens a sequence verifies per step", DefaultValueFactory = _ => Defaults.NumSpeculativeTokens,
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

    public SpeculativeOptions() => _method.AcceptOnlyFromAmong("ngram", "suffix");

    public IEnumerable<Option> All => [_method, _tokens, _ngramMin, _ngramMax, _maxStepTokens];

    /// <summary>The engine's speculation settings, or null when <c>--speculative</c> was not given.</summary>
    public SpeculationOptions? Resolve(ParseResult result)
    {
        if (result.GetValue(_method) is not { } method)
            return null;
        var options = new SpeculationOptions
        {
            Method = method == "suffix" ? SpeculativeMethod.Suffix : SpeculativeMethod.Ngram,
            NumSpeculativeTokens = result.GetValue(_tokens),
            NgramMin = result.GetValue(_ngramMin),
            NgramMax = result.GetValue(_ngramMax),
            MaxStepTokens = result.GetValue(_maxStepTokens),
        };
        options.Validate();
        return options;
    }
}
