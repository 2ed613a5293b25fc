using Strata.Kernels.Memory;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for a batch of activation rows and one to three weight matrices that share them (Q, K and V; or the
/// gate and up projections, fused with SwiGLU), split across the pool by groups of 16 output rows. Activations are
/// first converted to what each matrix's kernel reads (Q8_0 for Q4_0 and Q8_0, Q8_K for K-quants, …), split by
/// tokens when the batch is large. Every output's accumulation order depends only on the row length, never on
/// the batch, the tile a token lands in or the thread count, so results are batch-invariant. A reused object:
/// runs allocate nothing once buffers have grown to the largest batch.
/// </summary>
public sealed unsafe class MatMulJob : IComputeJob, IDisposable
{
    private const int MaxMatrices = 3;
    private const int ParallelConversionTokens = 8;

    private readonly SimdLevel _level;
    private readonly QuantizedActivations?[] _activations = new QuantizedActivations?[Enum.GetValues<ActivationFormat>().Length];
    private readonly Segment[] _segments = new Segment[MaxMatrices];
    private NativeBuffer<float>[] _scratch = [];
    private int _segmentCount;
    private int _totalGroups;
    private bool _gated;
    private bool _converting;
    private int _batch;

    public MatMulJob(SimdLevel level)
    {
        if (!SimdSupport.IsSupported(level))
            throw new PlatformNotSupportedException($"this CPU does not support {level}");
        _level = level;
    }

    public MatMulJob() : this(SimdSupport.Level)
    {
    }

    /// <summary>output[t, r] = W[r, :] · input[t, :] (or += with <paramref name="accumulate"/>).</summary>
    /// <param name="input">[batch, W.Cols]</param>
    /// <param name="output">[batch, W.Rows]</param>
    public void Run(ComputePool pool, PackedMatrix w, float* input, int batch, float* output, bool accumulate = false)
    {
        Begin(batch, gated: false);
        Add(w, input, new MatMulOutput(output, w.Rows, accumulate));
        Execute(pool);
    }

    /// <summary>Three matrices of the same input width applied to the same input, each into its own [batch, rows] output.</summary>
    public void Run(ComputePool pool, float* input, int batch,
        PackedMatrix first, float* firstOutput, PackedMatrix second, float* secondOutput, PackedMatrix third, float* thirdOutput)
    {
        Begin(batch, gated: false);
        Add(first, input, new MatMulOutput(firstOutput, first.Rows, false));
        Add(second, input, new MatMulOutput(secondOutput, second.Rows, false));
        Add(third, input, new MatMulOutput(thirdOutput, third.Rows, false));
        Execute(pool);
    }

    /// <summary>gateOutput[t, :] = silu(Wg·x) · (Wu·x): both projections of a row range, then SwiGLU on it, per worker.</summary>
    /// <param name="upOutput">[batch, rows] scratch for the up projection.</param>
    public void RunGated(ComputePool pool, PackedMatrix gate, PackedMatrix up, float* input, int batch, float* gateOutput, float* upOutput)
    {
        if (gate.Rows != up.Rows)
            throw new ArgumentException($"gate has {gate.Rows} rows, up {up.Rows}");
        Begin(batch, gated: true);
        Add(gate, input, new MatMulOutput(gateOutput, gate.Rows, false));
        Add(up, input, new MatMulOutput(upOutput, up.Rows, false));
        Execute(pool);
    }

    public void Execute(int worker, int workerCount)
    {
        if (_converting)
        {
            var (first, end) = Partition.Range(_batch, worker, workerCount);
            for (var i = 0; i < _segmentCount; i++)
            {
                if (FirstUser(i))
                    _segments[i].Activations.ConvertRows(first, end, _level);
            }
            return;
        }

        var (start, stop) = Partition.Range(_totalGroups, worker, workerCount);
        if (_gated)
        {
            Multiply(_segments[0], start, stop, worker);
            Multiply(_segments[1], start, stop, worker);
            var gate = _segments[0];
            var rows = gate.Matrix.Rows;
            var rowEnd = Math.Min(rows, stop * PackedMatrix.GroupRows);
            for (var t = 0; t < _batch && start < stop; t++)
            {
                SwiGlu.Apply(gate.Output.Data + (long)t * rows, _segments[1].Output.Data + (long)t * rows,
                    start * PackedMatrix.GroupRows, rowEnd, rows, _level);
            }
            return;
        }
        for (var i = 0; i < _segmentCount; i++)
        {
            var segment = _segments[i];
            var from = Math.Max(start, segment.FirstGroup) - segment.FirstGroup;
            var to = Math.Min(stop, segment.FirstGroup + segment.Matrix.Groups) - segment.FirstGroup;
            if (from < to)
                Multiply(segment, from, to, worker);
        }
    }

    public void Dispose()
    {
        foreach (var activations in _activations)
            activations?.Dispose();
        foreach (var scratch in _scratch)
            scratch.Dispose();
    }

    private void Begin(int batch, bool gated)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        _batch = batch;
        _gated = gated;
        _segmentCount = 0;
        _totalGroups = 0;
    }

    private void Add(PackedMatrix w, float* input, MatMulOutput output)
    {
        if (_segmentCount > 0 && w.Cols != _segments[0].Matrix.Cols)
            throw new ArgumentException($"matrices sharing an input must have the same width: {w.Cols} vs {_segments[0].Matrix.Cols}");
        var format = QuantizedActivations.FormatFor(w.Layout, w.Type);
        var activations = _activations[(int)format] ??= new QuantizedActivations(format);
        _segments[_segmentCount++] = new Segment(w, output, activations, _gated ? 0 : _totalGroups);
        _totalGroups = _gated ? w.Groups : _totalGroups + w.Groups;
        if (FirstUser(_segmentCount - 1))
            activations.Prepare(input, _batch, w.Cols);
    }

    private void Execute(ComputePool pool)
    {
        if (_batch == 0)
            return;
        EnsureScratch(pool.ThreadCount);
        if (_batch >= ParallelConversionTokens && pool.ThreadCount > 1)
        {
            _converting = true;
            pool.Run(this);
        }
        else
        {
            for (var i = 0; i < _segmentCount; i++)
            {
                if (FirstUser(i))
                    _segments[i].Activations.ConvertRows(0, _batch, _level);
            }
        }
        _converting = false;
        var work = 0L;
        for (var i = 0; i < _segmentCount; i++)
            work += (long)_segments[i].Matrix.Rows * _segments[i].Matrix.Cols;
        pool.Run(this, work * _batch);
    }

    /// <summary>Whether segment i is the first to use its activations (which are then converted once for all).</summary>
    private bool FirstUser(int i)
    {
        for (var j = 0; j < i; j++)
        {
            if (ReferenceEquals(_segments[j].Activations, _segments[i].Activations))
                return false;
        }
        return true;
    }

    private void Multiply(in Segment segment, int groupStart, int groupEnd, int worker)
    {
        var w = segment.Matrix;
        var a = segment.Activations;
        switch (w.Layout)
        {
            case MatrixLayout.Q4_0Interleaved:
                Q4_0InterleavedKernel.Run(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q4_0Rows:
                Q4_0RowsKernel.Run(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q8_0Grouped:
                Q8_0GroupedKernel.Run(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q8_0Lanes:
                Q8_0LanesKernel.Run(w, groupStart, groupEnd, a, segment.Output);
                break;
            case MatrixLayout.F32Rows:
                FloatRowsKernel.Run(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.F16Rows:
                F16RowsKernel.Run(w, groupStart, groupEnd, a, segment.Output, _scratch[worker].Pointer, _level);
                break;
            case MatrixLayout.BF16Rows:
                BF16RowsKernel.Run(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.BF16Pairs:
                BF16PairsKernel.Run(w, groupStart, groupEnd, a, segment.Output);
                break;
            case MatrixLayout.Q4_KInterleaved:
                InterleavedKernel.Run<Q4_KInterleavedKernel>(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q6_KInterleaved:
                InterleavedKernel.Run<Q6_KInterleavedKernel>(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q2_KInterleaved:
                InterleavedKernel.Run<Q2_KInterleavedKernel>(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q3_KGrouped:
                Q3_KGroupedKernel.Run(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            case MatrixLayout.Q5_KInterleaved:
                InterleavedKernel.Run<Q5_KInterleavedKernel>(w, groupStart, groupEnd, a, segment.Output, _level);
                break;
            default:
                GenericRowsKernel.Run(w, groupStart, groupEnd, a, segment.Output);
                break;
        }
    }

    /// <summary>Per-worker room for a widened F16 row group.</summary>
    private void EnsureScratch(int workers)
    {
        var floats = 0L;
        for (var i = 0; i < _segmentCount; i++)
        {
            if (_segments[i].Matrix.Layout == MatrixLayout.F16Rows)
                floats = Math.Max(floats, F16RowsKernel.ScratchFloats(_segments[i].Matrix.Cols));
        }
        if (_scratch.Length >= workers && _scratch[0].Length >= floats)
            return;
        foreach (var scratch in _scratch)
            scratch.Dispose();
        _scratch = new NativeBuffer<float>[workers];
        for (var i = 0; i < workers; i++)
            _scratch[i] = new NativeBuffer<float>(floats);
    }

    private readonly record struct Segment(PackedMatrix Matrix, MatMulOutput Output, QuantizedActivations Activations, int FirstGroup);
}
