namespace Strata.Engine;

/// <summary>A snapshot of the engine's state, published after every step.</summary>
public sealed record EngineStats
{
    public int RunningSequences { get; init; }
    public int WaitingSequences { get; init; }
    public int KvBlocksUsed { get; init; }
    public int KvBlocksFree { get; init; }
    public long Preemptions { get; init; }
    public long PromptTokensComputed { get; init; }
    public long GeneratedTokens { get; init; }
    public long Steps { get; init; }
}
