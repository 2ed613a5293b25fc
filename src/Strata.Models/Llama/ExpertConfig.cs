using Strata.Kernels.Experts;

namespace Strata.Models.Llama;

/// <summary>The mixture-of-experts hyper-parameters of a sparse model (Mixtral, Qwen-MoE, DeepSeek-V2).</summary>
public sealed record ExpertConfig
{
    /// <summary>Routed experts per MoE layer.</summary>
    public required int Count { get; init; }

    /// <summary>Experts each token is routed to (top-k).</summary>
    public required int UsedCount { get; init; }

    /// <summary>Hidden width of one routed expert.</summary>
    public required int FeedForwardLength { get; init; }

    /// <summary>Hidden width of the shared experts every token also passes through (0: none).</summary>
    public int SharedFeedForwardLength { get; init; }

    /// <summary>Whether the shared experts' output is scaled by a learned sigmoid gate (Qwen2-MoE).</summary>
    public bool SharedGate { get; init; }

    public ExpertGating Gating { get; init; } = ExpertGating.Softmax;

    /// <summary>Divide the chosen experts' weights by their sum.</summary>
    public bool NormalizeWeights { get; init; }

    /// <summary>Multiply the chosen experts' weights by this (0 and 1: unscaled).</summary>
    public float WeightsScale { get; init; }

    /// <summary>The first layers have a dense feed-forward network instead (DeepSeek's first_k_dense_replace).</summary>
    public int LeadingDenseLayers { get; init; }

    public ExpertRouting Routing => new(UsedCount, Gating, NormalizeWeights, WeightsScale);
}
