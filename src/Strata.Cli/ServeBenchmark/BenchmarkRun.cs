namespace Strata.Cli.ServeBenchmark;

/// <summary>The raw outcome of sending a dataset: one record per request, in dataset order, and the wall time.</summary>
internal sealed record BenchmarkRun(IReadOnlyList<RequestRecord> Records, TimeSpan Duration);
