namespace Strata.Models.Llama;

/// <summary>
/// Multi-head latent attention (DeepSeek-V2): keys and values of all heads are expanded from one compressed latent
/// per token, so the cache stores only that latent (<see cref="KvRank"/> values) and the shared rotary key
/// (<see cref="RopeDim"/> values): <see cref="CacheWidth"/> per token and layer instead of
/// heads · (key + value width).
/// </summary>
public sealed record LatentAttentionConfig
{
    /// <summary>Rank of the compressed query (q_lora_rank); 0 when queries are projected directly.</summary>
    public int QueryRank { get; init; }

    /// <summary>Rank of the compressed key/value latent (kv_lora_rank).</summary>
    public required int KvRank { get; init; }

    /// <summary>Per head, the query/key dimensions without rotary embedding.</summary>
    public required int NopeDim { get; init; }

    /// <summary>Per head, the rotary query/key dimensions (the key's are shared by all heads).</summary>
    public required int RopeDim { get; init; }

    /// <summary>Per head, the value dimensions after expansion.</summary>
    public required int ValueDim { get; init; }

    /// <summary>Per head, the width of a query before absorption: nope + rope.</summary>
    public int QueryHeadDim => NopeDim + RopeDim;

    /// <summary>What one token stores per layer: the latent, then the rotary key.</summary>
    public int CacheWidth => KvRank + RopeDim;
}
