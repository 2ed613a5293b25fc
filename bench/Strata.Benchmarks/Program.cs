using BenchmarkDotNet.Running;

namespace Strata.Benchmarks;

/// <summary>Kernel microbenchmarks: <c>dotnet run -c Release --project bench/Strata.Benchmarks -- --filter '*'</c>.</summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
