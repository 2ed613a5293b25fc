using Strata.Simulation;

namespace Strata.Simulation.Tests;

/// <summary>Profiles with round cost laws, so expected times can be worked out by hand.</summary>
internal static class Profiles
{
    public static StepProfile Of(CostModel cost, int budget = 64, int maxSequences = 64, int kvBlocks = 1024, int blockSize = 16, int context = 4096) => new()
    {
        Model = "test",
        Threads = 1,
        Cost = cost,
        BlockSize = blockSize,
        MaxBatchedTokens = budget,
        MaxSequences = maxSequences,
        KvBlocks = kvBlocks,
        MaxModelLength = context,
        Steps = 100,
        MeanRelativeError = 0,
    };

    /// <summary>10 ms a step, 1 ms per prefill token, 2 ms per decoding sequence, nothing per context token.</summary>
    public static CostModel Round { get; } = new(0.010, 0.001, 0.002, 0, 0);

    public static int[] Prompt(int seed, int length) => [.. Enumerable.Range(0, length).Select(i => 1 + (seed * 7919 + i * 31) % 30_000)];
}
