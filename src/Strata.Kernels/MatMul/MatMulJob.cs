using System.Numerics.Tensors;
using Strata.Kernels.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y[b, r] = W[r, :] · x[b, :] for a batch of activation rows, split across the pool by output rows. Each output
/// is one dot product whose accumulation order depends only on the row length, never on the batch size or the
/// thread count, so results are batch-invariant.
/// </summary>
public sealed unsafe class MatMulJob : IComputeJob
{
    private WeightMatrix _weights;
    private float* _input;
    private float* _output;
    private int _batch;

    /// <summary>Computes <paramref name="output"/>[b * W.Rows + r] for b &lt; <paramref name="batch"/>.</summary>
    /// <param name="input">[batch, W.Cols] floats.</param>
    /// <param name="output">[batch, W.Rows] floats.</param>
    public void Run(ComputePool pool, WeightMatrix weights, float* input, int batch, float* output)
    {
        if (weights.Type != TensorType.F32)
            throw new NotSupportedException($"matmul over {weights.Type} weights is not supported yet");
        _weights = weights;
        _input = input;
        _output = output;
        _batch = batch;
        pool.Run(this);
    }

    public void Execute(int worker, int workerCount)
    {
        var (start, end) = Partition.Range(_weights.Rows, worker, workerCount);
        var cols = _weights.Cols;
        for (var r = start; r < end; r++)
        {
            var row = new ReadOnlySpan<float>(_weights.Row(r), cols);
            for (var b = 0; b < _batch; b++)
                _output[(long)b * _weights.Rows + r] = TensorPrimitives.Dot(row, new ReadOnlySpan<float>(_input + (long)b * cols, cols));
        }
    }
}
