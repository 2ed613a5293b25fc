namespace Strata.Kernels.Experts;

/// <summary>How a mixture-of-experts router turns its logits into expert probabilities (GGUF <c>expert_gating_func</c>).</summary>
public enum ExpertGating
{
    /// <summary>Softmax over all experts (Mixtral, Qwen-MoE, DeepSeek-V2).</summary>
    Softmax = 1,

    /// <summary>An independent sigmoid per expert (DeepSeek-V3 style).</summary>
    Sigmoid = 2,
}
