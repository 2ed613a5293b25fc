using Strata.Kernels.MatMul;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// The run state every block of a layer works with: the batch in flight, the KV memory and the pool it runs on, the
/// residual stream and its normalised copy, and the reusable matmul and per-token jobs. One per model; a block
/// reads <see cref="ForwardScratch.Normed"/> and adds its output into <see cref="ForwardScratch.Hidden"/>.
/// </summary>
internal sealed class ForwardPass : IDisposable
{
    private readonly TokenStageJob _stages = new();
    private readonly ComputePool _inline = new(1);

    public ForwardPass(ModelConfig config, SimdLevel level)
    {
        Config = config;
        Level = level;
        Scratch = new ForwardScratch(config);
        MatMul = new MatMulJob(level);
    }

    public ModelConfig Config { get; }

    public SimdLevel Level { get; }

    public ForwardScratch Scratch { get; }

    public MatMulJob MatMul { get; }

    public ForwardBatch Batch { get; private set; } = null!;

    public KvBuffer Kv { get; private set; } = null!;

    public ComputePool Pool { get; private set; } = null!;

    public int TokenCount => Batch.TokenCount;

    public void Begin(ForwardBatch batch, KvBuffer kv, ComputePool pool)
    {
        Batch = batch;
        Kv = kv;
        Pool = pool;
        Scratch.EnsureCapacity(batch.TokenCount, batch.LogitCount);
    }

    /// <summary>
    /// The pool to multiply by <paramref name="matrix"/> on: a matrix of one row group (a router, a gate) has no
    /// work to share, so it runs on the calling thread instead of waking the workers.
    /// </summary>
    public ComputePool PoolFor(PackedMatrix matrix) => matrix.Groups > 1 ? Pool : _inline;

    /// <summary>Applies <paramref name="stage"/> to every token of the batch.</summary>
    public void PerToken(ITokenStage stage) => _stages.Run(Pool, stage, Batch.TokenCount);

    /// <summary>Applies <paramref name="stage"/> to items 0..count − 1 (logit rows, expert slots).</summary>
    public void PerItem(ITokenStage stage, int count) => _stages.Run(Pool, stage, count);

    public void Dispose()
    {
        _inline.Dispose();
        MatMul.Dispose();
        Scratch.Dispose();
    }
}
