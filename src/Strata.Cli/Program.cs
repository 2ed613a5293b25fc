using System.CommandLine;
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
        var root = new RootCommand("Strata: an LLM inference engine for GGUF models on the CPU")
        {
            GenerateCommand.Create(),
            bench,
            TokenizeCommand.Create(),
            InspectCommand.Create(),
            SynthCommand.Create(),
            ChatTemplateCommand.Create(),
            ServeCommand.Create(),
            RouterCommand.Create(),
            ClusterCommand.Create(),
            ProfileCommand.Create(),
            SimCommand.Create(),
        };
        // A graceful stop may need to drain the disk tier's pending writes: more than the default 2 s before a forced exit.
        return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
    }
}
