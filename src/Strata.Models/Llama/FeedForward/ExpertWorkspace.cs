using Strata.Kernels.Experts;
using Strata.Kernels.Simd;

namespace Strata.Models.Llama.FeedForward;

/// <summary>The buffers and the grouped expert matmul every mixture-of-experts layer of a model shares.</summary>
internal sealed class ExpertWorkspace(ModelConfig config, ExpertConfig experts, SimdLevel level) : IDisposable
{
    /// <summary>[tokens, experts] router logits, then (<see cref="Probabilities"/>) the gated probabilities.</summary>
    public ScratchBuffer RouterLogits { get; } = new();
    public ScratchBuffer Probabilities { get; } = new();

    /// <summary>[tokens · used] each token's chosen experts, best first, and their weights.</summary>
    public int[] Chosen { get; private set; } = [];
    public ScratchBuffer Weights { get; } = new();

    /// <summary>[tokens · used, embedding] the chosen experts' outputs.</summary>
    public ScratchBuffer ExpertOutputs { get; } = new();

    /// <summary>[tokens, embedding] the shared experts' output; [tokens] their gate's logit.</summary>
    public ScratchBuffer SharedOutput { get; } = new();
    public ScratchBuffer SharedGateLogits { get; } = new();

    public ExpertMatMul MatMul { get; } = new(level);

    public void EnsureCapacity(int tokens)
    {
        var routes = tokens * experts.UsedCount;
        RouterLogits.Ensure((long)tokens * experts.Count);
        Probabilities.Ensure((long)tokens * experts.Count);
        if (Chosen.Length < routes)
            Chosen = new int[routes];
        Weights.Ensure(routes);
        ExpertOutputs.Ensure((long)routes * config.EmbeddingLength);
        if (experts.SharedFeedForwardLength > 0)
            SharedOutput.Ensure((long)tokens * config.EmbeddingLength);
        if (experts.SharedGate)
            SharedGateLogits.Ensure(tokens);
    }

    public void Dispose()
    {
        RouterLogits.Dispose();
        Probabilities.Dispose();
        Weights.Dispose();
        ExpertOutputs.Dispose();
        SharedOutput.Dispose();
        SharedGateLogits.Dispose();
        MatMul.Dispose();
    }
}
