namespace Strata.Cli.ServeBenchmark;

/// <summary>A recipe for the requests of a run; built once the server's tokens per word are known.</summary>
internal abstract record BenchmarkDataset
{
    public abstract BenchmarkRequest[] Create(TokenEstimate estimate, Random random);

    /// <summary>
    /// The requests <see cref="Create"/> makes from the same random state at one token per word, as token ids, one at a
    /// time (a simulation of millions of requests need not hold them all): the same lengths and the same shared prefixes.
    /// </summary>
    public abstract IEnumerable<DatasetPrompt> TokenPrompts(Random random);
}
