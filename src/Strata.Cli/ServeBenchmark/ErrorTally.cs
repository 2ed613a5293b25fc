namespace Strata.Cli.ServeBenchmark;

/// <summary>One distinct failure message and how many requests failed with it.</summary>
internal sealed record ErrorTally(string Message, int Count);
