namespace Strata.Cli.ServeBenchmark;

/// <summary>A recipe for the requests of a run; built once the server's tokens per word are known.</summary>
internal abstract record BenchmarkDataset
{
    public abstract BenchmarkRequest[] Create(TokenEstimate estimate, Random random);
}
