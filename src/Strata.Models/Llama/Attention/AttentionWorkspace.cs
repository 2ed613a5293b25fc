using Strata.Kernels.Simd;
using Strata.KvCache;

namespace Strata.Models.Llama.Attention;

/// <summary>The buffers and jobs every layer's grouped-query attention shares.</summary>
internal sealed class AttentionWorkspace(ModelConfig config) : IDisposable
{
    private AttentionJob? _job;
    private (KvLayout Layout, int Workers) _jobShape;

    /// <summary>[tokens, queryDim] queries, rotated in place.</summary>
    public ScratchBuffer Query { get; } = new();
    /// <summary>[tokens, kvDim]</summary>
    public ScratchBuffer Key { get; } = new();
    public ScratchBuffer Value { get; } = new();
    /// <summary>[tokens, queryDim] attention outputs before the output projection.</summary>
    public ScratchBuffer Output { get; } = new();

    public void EnsureCapacity(int tokens)
    {
        Query.Ensure((long)tokens * config.QueryDim);
        Key.Ensure((long)tokens * config.KvDim);
        Value.Ensure((long)tokens * config.KvDim);
        Output.Ensure((long)tokens * config.QueryDim);
    }

    /// <summary>The attention job for this KV layout and worker count (rebuilt only when they change).</summary>
    public AttentionJob Job(KvLayout layout, int workers, SimdLevel level)
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
        Query.Dispose();
        Key.Dispose();
        Value.Dispose();
        Output.Dispose();
    }
}
