using Strata.Kernels.MatMul;
using Strata.Kernels.Simd;
using Strata.KvCache;

namespace Strata.Models.Llama.Attention;

/// <summary>The buffers and jobs every layer's latent attention shares.</summary>
internal sealed class LatentAttentionWorkspace(ModelConfig config, SimdLevel level) : IDisposable
{
    private AttentionJob? _job;
    private (KvLayout Layout, int Workers) _jobShape;

    /// <summary>[tokens, queryRank] the compressed query, normalised in place.</summary>
    public ScratchBuffer CompressedQuery { get; } = new();
    /// <summary>[tokens, heads, nope + rope] queries; the rope part rotated in place.</summary>
    public ScratchBuffer Query { get; } = new();
    /// <summary>[tokens, kvRank + rope] the latent and the rotary key, before they are normalised, rotated and cached.</summary>
    public ScratchBuffer Latent { get; } = new();
    /// <summary>[heads, tokens, nope] the queries' non-rotary parts, head-major for the per-head absorption.</summary>
    public ScratchBuffer QueryNope { get; } = new();
    /// <summary>[heads, tokens, kvRank] the queries absorbed into the latent space.</summary>
    public ScratchBuffer Absorbed { get; } = new();
    /// <summary>[tokens, heads, kvRank + rope] the attention queries; then [tokens, heads, kvRank + rope] its outputs.</summary>
    public ScratchBuffer AttentionQuery { get; } = new();
    public ScratchBuffer AttentionOutput { get; } = new();
    /// <summary>[heads, tokens, kvRank] each head's attention output in the latent space.</summary>
    public ScratchBuffer HeadLatent { get; } = new();
    /// <summary>[heads, tokens, valueDim] each head's value, expanded.</summary>
    public ScratchBuffer HeadValue { get; } = new();
    /// <summary>[tokens, heads · valueDim] the values of all heads, the input of the output projection.</summary>
    public ScratchBuffer Values { get; } = new();

    public HeadwiseMatMulJob Headwise { get; } = new(level);

    public void EnsureCapacity(int tokens)
    {
        var a = config.LatentAttention!;
        var heads = config.HeadCount;
        CompressedQuery.Ensure((long)tokens * a.QueryRank);
        Query.Ensure((long)tokens * heads * a.QueryHeadDim);
        Latent.Ensure((long)tokens * a.CacheWidth);
        QueryNope.Ensure((long)tokens * heads * a.NopeDim);
        Absorbed.Ensure((long)tokens * heads * a.KvRank);
        AttentionQuery.Ensure((long)tokens * heads * a.CacheWidth);
        AttentionOutput.Ensure((long)tokens * heads * a.CacheWidth);
        HeadLatent.Ensure((long)tokens * heads * a.KvRank);
        HeadValue.Ensure((long)tokens * heads * a.ValueDim);
        Values.Ensure((long)tokens * heads * a.ValueDim);
    }

    /// <summary>The attention job for this KV layout and worker count (rebuilt only when they change).</summary>
    public AttentionJob Job(KvLayout layout, int workers)
    {
        if (_job is null || _jobShape != (layout, workers))
        {
            _job?.Dispose();
            _job = new AttentionJob(config, layout, workers, level);
            _jobShape = (layout, workers);
        }
        return _job;
    }

    public void Dispose()
    {
        _job?.Dispose();
        Headwise.Dispose();
        foreach (var buffer in new[] { CompressedQuery, Query, Latent, QueryNope, Absorbed, AttentionQuery, AttentionOutput, HeadLatent, HeadValue, Values })
            buffer.Dispose();
    }
}
