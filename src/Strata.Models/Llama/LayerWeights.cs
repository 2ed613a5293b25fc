using Strata.Kernels.MatMul;

namespace Strata.Models.Llama;

/// <summary>
/// The weights of one transformer block. Matrices point into the mapped file or are repacked copies of it (see
/// <see cref="PackedMatrix"/>); vectors are small copies.
/// </summary>
internal sealed class LayerWeights : IDisposable
{
    public required float[] AttentionNorm { get; init; }
    public required PackedMatrix Query { get; init; }
    public required PackedMatrix Key { get; init; }
    public required PackedMatrix Value { get; init; }
    public required PackedMatrix Output { get; init; }

    /// <summary>Qwen2-style projection biases, when the model has them.</summary>
    public float[]? QueryBias { get; init; }
    public float[]? KeyBias { get; init; }
    public float[]? ValueBias { get; init; }

    /// <summary>Qwen3-style per-head RMSNorm of queries and keys before RoPE, when the model has it.</summary>
    public float[]? QueryNorm { get; init; }
    public float[]? KeyNorm { get; init; }

    public required float[] FeedForwardNorm { get; init; }
    public required PackedMatrix Gate { get; init; }
    public required PackedMatrix Up { get; init; }
    public required PackedMatrix Down { get; init; }

    public void Dispose()
    {
        foreach (var matrix in new[] { Query, Key, Value, Output, Gate, Up, Down })
            matrix.Dispose();
    }
}
