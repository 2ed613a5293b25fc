namespace Strata.Models.Llama;

/// <summary>One transformer layer: RMSNorm → attention → residual add, RMSNorm → feed-forward → residual add.</summary>
internal sealed class Layer(float[] attentionNorm, IAttentionBlock attention, float[] feedForwardNorm, IFeedForwardBlock feedForward) : IDisposable
{
    public float[] AttentionNorm { get; } = attentionNorm;

    public IAttentionBlock Attention { get; } = attention;

    public float[] FeedForwardNorm { get; } = feedForwardNorm;

    public IFeedForwardBlock FeedForward { get; } = feedForward;

    public long BytesPerToken => Attention.BytesPerToken + FeedForward.BytesPerToken;

    public void Dispose()
    {
        Attention.Dispose();
        FeedForward.Dispose();
    }
}
