using Strata.Engine.Speculation;

namespace Strata.Engine;

/// <summary>A snapshot of the engine's state, published after every step.</summary>
public sealed record EngineStats
{
    public int RunningSequences { get; init; }

    /// <summary>The most sequences that were running after any step since the engine started (at most its cap).</summary>
    public int PeakRunningSequences { get; init; }

    public int WaitingSequences { get; init; }
    public int KvBlocksUsed { get; init; }

    /// <summary>Prompts' blocks held for decode nodes to pull (a prefill node).</summary>
    public LeaseStats Leases { get; init; } = new(0, 0, 0, 0, 0);

    public int KvBlocksFree { get; init; }
    public long Preemptions { get; init; }
    public long PromptTokensComputed { get; init; }
    public long GeneratedTokens { get; init; }
    public long Steps { get; init; }

    /// <summary>Prompt tokens of admitted requests, and those served from the prefix cache (any tier).</summary>
    public long AdmittedPromptTokens { get; init; }
    public long CachedPromptTokens { get; init; }

    /// <summary>Full blocks findable in the working pool, and cached blocks it has evicted.</summary>
    public int CachedBlocks { get; init; }
    public long CacheEvictions { get; init; }

    /// <summary>Loads from lower tiers: how many, and their total time.</summary>
    public int Prefetches { get; init; }
    public double PrefetchSeconds { get; init; }

    /// <summary>Speculative decoding's drafts and acceptance (null when it is off).</summary>
    public SpeculationStats? Speculation { get; init; }

    /// <summary>The tiers below the working pool, top to bottom (empty when there are none).</summary>
    public IReadOnlyList<TierStats> Tiers { get; init; } = [];

    /// <summary>Sequences waiting and running per service tier.</summary>
    public Control.QueueSnapshot Queue { get; init; } = Control.QueueSnapshot.Empty;

    /// <summary>The step cost law as fitted so far.</summary>
    public Control.StepCost? StepCost { get; init; }

    /// <summary>The tier named <paramref name="name"/>, or null when the engine has none of that name.</summary>
    public TierStats? Tier(string name) => Tiers.FirstOrDefault(t => t.Name == name);
}
