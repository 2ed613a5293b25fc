using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary><c>--disagg-threshold</c>, shared by <c>strata router</c> and <c>strata cluster up</c>.</summary>
internal static class DisaggregationThreshold
{
    public static Option<int> Create() => new Option<int>("--disagg-threshold")
    {
        Description = "With prefill nodes: prompts with fewer tokens than this not cached on the decode node are computed there, not on a prefill node (0: all go to a prefill node)",
        DefaultValueFactory = _ => 256,
    }.MustNotBeNegative();
}
