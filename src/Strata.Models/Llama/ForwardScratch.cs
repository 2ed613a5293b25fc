using Strata.Kernels.Memory;

namespace Strata.Models.Llama;

/// <summary>
/// Activation buffers of one forward pass, sized for a number of tokens (and, separately, of logit rows, which are
/// large: [rows, vocab]) and regrown only when a batch is larger.
/// </summary>
internal sealed class ForwardScratch : IDisposable
{
    private readonly ModelConfig _config;

    public ForwardScratch(ModelConfig config) => _config = config;

    public int Capacity { get; private set; }

    public int LogitCapacity { get; private set; }

    /// <summary>Residual stream [tokens, embedding].</summary>
    public NativeBuffer<float> Hidden { get; private set; } = new(0);
    /// <summary>Normalised input of the current sub-layer [tokens, embedding].</summary>
    public NativeBuffer<float> Normed { get; private set; } = new(0);
    public NativeBuffer<float> Query { get; private set; } = new(0);
    public NativeBuffer<float> Key { get; private set; } = new(0);
    public NativeBuffer<float> Value { get; private set; } = new(0);
    /// <summary>Attention output before the output projection [tokens, queryDim].</summary>
    public NativeBuffer<float> Attention { get; private set; } = new(0);
    /// <summary>Gate projection, then SwiGLU(gate, up) in place [tokens, ffn].</summary>
    public NativeBuffer<float> Gate { get; private set; } = new(0);
    public NativeBuffer<float> Up { get; private set; } = new(0);
    /// <summary>RoPE cos and sin per token [tokens, ropeDims / 2].</summary>
    public NativeBuffer<float> Cos { get; private set; } = new(0);
    public NativeBuffer<float> Sin { get; private set; } = new(0);
    /// <summary>Final normalised states of the tokens that want logits [logits, embedding].</summary>
    public NativeBuffer<float> LogitInputs { get; private set; } = new(0);
    public NativeBuffer<float> Logits { get; private set; } = new(0);

    public void EnsureCapacity(int tokens, int logitRows)
    {
        var c = _config;
        if (logitRows > LogitCapacity)
        {
            LogitInputs.Dispose();
            Logits.Dispose();
            LogitCapacity = Math.Max(logitRows, 16);
            LogitInputs = new(LogitCapacity * (long)c.EmbeddingLength);
            Logits = new(LogitCapacity * (long)c.VocabSize);
        }
        if (tokens <= Capacity)
            return;
        DisposeTokenBuffers();
        Capacity = Math.Max(tokens, 16);
        Hidden = new(Capacity * (long)c.EmbeddingLength);
        Normed = new(Capacity * (long)c.EmbeddingLength);
        Query = new(Capacity * (long)c.QueryDim);
        Key = new(Capacity * (long)c.KvDim);
        Value = new(Capacity * (long)c.KvDim);
        Attention = new(Capacity * (long)c.QueryDim);
        Gate = new(Capacity * (long)c.FeedForwardLength);
        Up = new(Capacity * (long)c.FeedForwardLength);
        Cos = new(Capacity * (long)c.RopeDimensions / 2);
        Sin = new(Capacity * (long)c.RopeDimensions / 2);
    }

    public void Dispose()
    {
        DisposeTokenBuffers();
        LogitInputs.Dispose();
        Logits.Dispose();
    }

    private void DisposeTokenBuffers()
    {
        foreach (var buffer in new[] { Hidden, Normed, Query, Key, Value, Attention, Gate, Up, Cos, Sin })
            buffer.Dispose();
    }
}
