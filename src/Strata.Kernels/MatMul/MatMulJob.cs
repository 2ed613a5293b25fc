using System.Numerics.Tensors;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Threading;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y[b, r] = W[r, :] · x[b, :] for a batch of activation rows, split across the pool by output rows. Activations
/// are first converted to the type ggml pairs with the weights (Q8_0 for Q4_0, Q8_K for K-quants, …). Each output
/// is one dot product whose accumulation order depends only on the row length, never on the batch size or the
/// thread count, so results are batch-invariant.
/// </summary>
public sealed unsafe class MatMulJob : IComputeJob
{
    private WeightMatrix _weights;
    private float* _input;
    private float* _output;
    private int _batch;
    private TensorType _activationType;
    private int _activationRowBytes;
    private byte[] _activations = [];

    /// <summary>Computes <paramref name="output"/>[b * W.Rows + r] for b &lt; <paramref name="batch"/>.</summary>
    /// <param name="input">[batch, W.Cols] floats.</param>
    /// <param name="output">[batch, W.Rows] floats.</param>
    public void Run(ComputePool pool, WeightMatrix weights, float* input, int batch, float* output)
    {
        _weights = weights;
        _input = input;
        _output = output;
        _batch = batch;
        _activationType = VecDot.ActivationType(weights.Type);
        if (_activationType != TensorType.F32)
            QuantizeActivations();
        pool.Run(this);
    }

    public void Execute(int worker, int workerCount)
    {
        var (start, end) = Partition.Range(_weights.Rows, worker, workerCount);
        var cols = _weights.Cols;
        var rowBytes = (int)_weights.RowBytes;
        for (var r = start; r < end; r++)
        {
            var row = new ReadOnlySpan<byte>(_weights.Row(r), rowBytes);
            for (var b = 0; b < _batch; b++)
                _output[(long)b * _weights.Rows + r] = Dot(row, b, cols);
        }
    }

    private float Dot(ReadOnlySpan<byte> row, int b, int cols)
    {
        if (_activationType == TensorType.F32)
            return DotProduct.Float(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(row), new ReadOnlySpan<float>(_input + (long)b * cols, cols));
        var activation = _activations.AsSpan(b * _activationRowBytes, _activationRowBytes);
        return VecDot.Dot(_weights.Type, row, activation, cols);
    }

    private void QuantizeActivations()
    {
        var cols = _weights.Cols;
        _activationRowBytes = (int)TensorTypeInfo.RowBytes(_activationType, cols);
        if (_activations.Length < _batch * _activationRowBytes)
            _activations = new byte[_batch * _activationRowBytes];
        for (var b = 0; b < _batch; b++)
        {
            ActivationQuantizer.QuantizeRow(_activationType, new ReadOnlySpan<float>(_input + (long)b * cols, cols),
                _activations.AsSpan(b * _activationRowBytes, _activationRowBytes));
        }
    }
}
