namespace Strata.Models.Llama;

/// <summary>The feed-forward part of a layer: a dense SwiGLU network, or a mixture of experts.</summary>
internal interface IFeedForwardBlock : IDisposable
{
    /// <summary>Bytes of weights one token reads (for a mixture, the experts a token is routed to on average).</summary>
    long BytesPerToken { get; }

    /// <summary>Hidden += feed-forward(Normed) for every token of the pass.</summary>
    void Forward(ForwardPass pass);
}
