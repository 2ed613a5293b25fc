using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary>The <c>-t/--threads</c> option: compute threads, every core by default.</summary>
internal static class ThreadsOption
{
    public static Option<int> Create() => new Option<int>("--threads", "-t")
    {
        Description = "Compute threads (default: every core)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    }.MustBePositive();
}
