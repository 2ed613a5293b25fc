using Strata.Kernels.MatMul;

namespace Strata.Models.Llama;

/// <summary>The weights of one transformer block. Matrices point into the mapped file; vectors are small copies.</summary>
internal sealed class LayerWeights
{
    public required float[] AttentionNorm { get; init; }
    public required WeightMatrix Query { get; init; }
    public required WeightMatrix Key { get; init; }
    public required WeightMatrix Value { get; init; }
    public required WeightMatrix Output { get; init; }

    /// <summary>Qwen2-style projection biases, when the model has them.</summary>
    public float[]? QueryBias { get; init; }
    public float[]? KeyBias { get; init; }
    public float[]? ValueBias { get; init; }

    /// <summary>Qwen3-style per-head RMSNorm of queries and keys before RoPE, when the model has it.</summary>
    public float[]? QueryNorm { get; init; }
    public float[]? KeyNorm { get; init; }

    public required float[] FeedForwardNorm { get; init; }
    public required WeightMatrix Gate { get; init; }
    public required WeightMatrix Up { get; init; }
    public required WeightMatrix Down { get; init; }
}
