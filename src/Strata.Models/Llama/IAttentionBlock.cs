namespace Strata.Models.Llama;

/// <summary>
/// The attention part of a layer: reads every token's normalised input, stores what later tokens attend to in the
/// layer's KV blocks, and adds the attention output into the residual stream.
/// </summary>
internal interface IAttentionBlock : IDisposable
{
    /// <summary>Bytes of weights one token reads.</summary>
    long BytesPerToken { get; }

    /// <summary>Hidden += attention(Normed) for every token of the pass; this layer's K/V written at the tokens' positions.</summary>
    void Forward(ForwardPass pass, int layer);
}
