namespace Strata.Cli.Tests;

/// <summary>
/// Tests that run servers on the remote tier's production deadlines (50 ms a reply): they run alone, after the others,
/// since neighbours that pack and install the tool or start several servers starve them of the CPU those deadlines assume.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeadlineSensitive
{
    public const string Name = "deadline-sensitive";
}
