using Strata.Kernels.Simd;
using Strata.Kernels.Threading;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y[h] = W[h]·x[h] for a stack of small matrices, one per attention head, each applied to its own rows (the
/// per-head absorptions of latent attention). Heads are dealt out to the workers whole, each running its heads
/// on a <see cref="MatMulJob"/> of its own on the calling thread, so a step costs one dispatch instead of one per
/// head, and every output has exactly the arithmetic of a single matmul of its row.
/// </summary>
public sealed unsafe class HeadwiseMatMulJob : IComputeJob, IDisposable
{
    private readonly SimdLevel _level;
    private MatMulJob[] _workers = [];
    private ComputePool[] _inline = [];
    private PackedMatrix[] _weights = [];
    private float* _input;
    private long _inputStride;
    private int _tokens;
    private float* _output;
    private long _outputStride;

    public HeadwiseMatMulJob(SimdLevel level) => _level = level;

    /// <param name="weights">[heads] each [rows, cols]</param>
    /// <param name="input">head h's rows [tokens, cols] start at input + h·inputStride.</param>
    /// <param name="output">head h's rows [tokens, rows] start at output + h·outputStride.</param>
    public void Run(ComputePool pool, PackedMatrix[] weights, float* input, long inputStride, int tokens, float* output, long outputStride)
    {
        for (var i = _workers.Length; i < pool.ThreadCount; i++)
        {
            _workers = [.. _workers, new MatMulJob(_level)];
            _inline = [.. _inline, new ComputePool(1)];
        }
        _weights = weights;
        _input = input;
        _inputStride = inputStride;
        _tokens = tokens;
        _output = output;
        _outputStride = outputStride;
        pool.Run(this);
    }

    public void Execute(int worker, int workerCount)
    {
        // A one-thread pool runs its job on the caller: each worker's heads stay on that worker.
        for (var h = worker; h < _weights.Length; h += workerCount)
            _workers[worker].Run(_inline[worker], _weights[h], _input + h * _inputStride, _tokens, _output + h * _outputStride);
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
            worker.Dispose();
        foreach (var pool in _inline)
            pool.Dispose();
    }
}
