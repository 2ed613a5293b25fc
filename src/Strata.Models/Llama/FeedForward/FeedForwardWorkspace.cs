namespace Strata.Models.Llama.FeedForward;

/// <summary>The buffers every dense feed-forward network of a model shares (the shared experts of a mixture too).</summary>
internal sealed class FeedForwardWorkspace : IDisposable
{
    /// <summary>[tokens, width] gate projection, then SwiGLU(gate, up) in place.</summary>
    public ScratchBuffer Gate { get; } = new();
    /// <summary>[tokens, width] up projection.</summary>
    public ScratchBuffer Up { get; } = new();

    public void EnsureCapacity(int tokens, int width)
    {
        Gate.Ensure((long)tokens * width);
        Up.Ensure((long)tokens * width);
    }

    public void Dispose()
    {
        Gate.Dispose();
        Up.Dispose();
    }
}
