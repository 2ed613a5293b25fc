namespace Strata.Engine.Speculation;

/// <summary>How the engine speculates: the proposer, how many drafts a sequence may verify per step, and when a step is too full to bother.</summary>
public sealed record SpeculationOptions
{
    public SpeculativeMethod Method { get; init; } = SpeculativeMethod.Ngram;

    /// <summary>The default k of the suffix method, one decode and its drafts filling a step of <see cref="MaxStepTokens"/>' default.</summary>
    public const int SuffixDefaultDrafts = 15;

    /// <summary>The default k of the other methods.</summary>
    public const int DefaultDrafts = 5;

    private readonly int? _numSpeculativeTokens;

    /// <summary>
    /// Most drafts one sequence verifies in a step (k); each sequence adapts below it from its recent acceptance. By
    /// default <see cref="DefaultDrafts"/>, and <see cref="SuffixDefaultDrafts"/> for the suffix method, whose drafts are
    /// sized by the tree's counts: a long draft only where many earlier occurrences continued the same way. On a CPU a
    /// verification row costs a fraction of a one-row step (about a fifth on synth 1B Q8_0, whose copying text decodes at
    /// 30 tok/s, 82 with 5 drafts a step and 114 with 15), so text that repeats gains from long drafts.
    /// </summary>
    public int NumSpeculativeTokens
    {
        get => _numSpeculativeTokens ?? (Method == SpeculativeMethod.Suffix ? SuffixDefaultDrafts : DefaultDrafts);
        init => _numSpeculativeTokens = value;
    }

    /// <summary>Shortest suffix the n-gram proposer matches.</summary>
    public int NgramMin { get; init; } = 1;

    /// <summary>Longest suffix the n-gram proposer matches (tried first).</summary>
    public int NgramMax { get; init; } = 4;

    /// <summary>
    /// Drafts are verified only while a step's decoding sequences plus their drafts stay within this many tokens: a CPU
    /// step reads every weight once whatever the batch, so a few extra positions are nearly free, but a batch this
    /// large is compute bound and a rejected draft would cost as much as a decode.
    /// </summary>
    public int MaxStepTokens { get; init; } = 16;

    /// <summary>
    /// Draft only where the measured step cost says a draft pays for its position (see <see cref="Speculator"/>); false
    /// drafts up to k whenever the step limit allows, whatever the cost.
    /// </summary>
    public bool CostAware { get; init; } = true;

    /// <summary>Longest token path the suffix tree keeps (matched context plus continuation).</summary>
    public int SuffixDepth { get; init; } = 32;

    /// <summary>Nodes the suffix tree may hold before the least recently extended request is dropped from it.</summary>
    public int SuffixMaxNodes { get; init; } = 1 << 20;

    /// <summary>The draft model's GGUF file, for <see cref="SpeculativeMethod.Draft"/>; it must share the target's vocabulary.</summary>
    public string? DraftModelPath { get; init; }

    /// <summary>Bytes of the draft model's own KV pool; 0 gives it as many blocks as the target's pool.</summary>
    public long DraftKvCacheBytes { get; init; }

    public void Validate()
    {
        if (Method != SpeculativeMethod.Draft && DraftModelPath is not null)
            throw new ArgumentException("--draft-model is used only with --speculative draft");
        if (DraftKvCacheBytes < 0)
            throw new ArgumentException($"the draft model's KV memory must not be negative, got {DraftKvCacheBytes}");
        if (NumSpeculativeTokens < 1)
            throw new ArgumentException($"the number of speculative tokens must be positive, got {NumSpeculativeTokens}");
        if (NgramMin < 1 || NgramMax < NgramMin)
            throw new ArgumentException($"n-gram sizes must satisfy 1 <= min <= max, got min {NgramMin}, max {NgramMax}");
        if (MaxStepTokens < 2)
            throw new ArgumentException($"the speculation step limit must be at least 2 tokens, got {MaxStepTokens}");
        if (SuffixDepth <= NumSpeculativeTokens)
            throw new ArgumentException($"the suffix depth ({SuffixDepth}) must exceed the number of speculative tokens ({NumSpeculativeTokens})");
        if (SuffixMaxNodes < SuffixDepth)
            throw new ArgumentException($"the suffix tree must hold at least {SuffixDepth} nodes, got {SuffixMaxNodes}");
    }
}
