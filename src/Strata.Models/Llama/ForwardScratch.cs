using Strata.Kernels.Memory;

namespace Strata.Models.Llama;

/// <summary>
/// The activation buffers every layer shares, sized for a number of tokens (and, separately, of logit rows, which
/// are large: [rows, vocab]) and regrown only when a batch is larger. Each kind of block keeps its own buffers in
/// its workspace.
/// </summary>
internal sealed class ForwardScratch : IDisposable
{
    private readonly ModelConfig _config;

    public ForwardScratch(ModelConfig config) => _config = config;

    public int Capacity { get; private set; }

    public int LogitCapacity { get; private set; }

    /// <summary>Residual stream [tokens, embedding].</summary>
    public NativeBuffer<float> Hidden { get; private set; } = new(0);
    /// <summary>Normalised input of the current block [tokens, embedding].</summary>
    public NativeBuffer<float> Normed { get; private set; } = new(0);
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
        foreach (var buffer in new[] { Hidden, Normed, Cos, Sin })
            buffer.Dispose();
    }
}
