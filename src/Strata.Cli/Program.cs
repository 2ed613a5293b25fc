using System.CommandLine;
using System.CommandLine.Help;
using Strata.Cli.Commands;

namespace Strata.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var bench = BenchCommand.Create();
        bench.Subcommands.Add(BenchServeCommand.Create());
        bench.Subcommands.Add(BenchCacheCommand.Create());
        bench.Subcommands.Add(BenchSoakCommand.Create());
        bench.Subcommands.Add(BenchFuzzCommand.Create());
        var serve = ServeCommand.Create();
        var root = new RootCommand("Strata: an LLM inference engine for GGUF models on the CPU")
        {
            GenerateCommand.Create(),
            bench,
            TokenizeCommand.Create(),
            InspectCommand.Create(),
            SynthCommand.Create(),
            ChatTemplateCommand.Create(),
            serve,
            RouterCommand.Create(),
            ClusterCommand.Create(),
            ProfileCommand.Create(),
            SimCommand.Create(),
        };
        // A graceful stop drains running requests (up to 90 s) and the disk tier's pending writes: more than the default 2 s before a forced exit.
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromMinutes(2) };
        var parsed = root.Parse(args);
        if (parsed is { Errors.Count: 0, Action: not HelpAction } && parsed.CommandResult.Command == serve)
            return CliRunner.Run(() => ServeConfiguration.Apply(root, args, parsed, Environment.GetEnvironmentVariable).Invoke(invocation));
        return parsed.Invoke(invocation);
    }
}
