using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Experts;

/// <summary>
/// The routed experts of a mixture-of-experts layer for a batch of tokens, grouped by expert: the rows of the tokens
/// routed to an expert are gathered into one block and that expert's SwiGLU network runs once over all of them, so
/// each expert's weights are read once per call whatever number of tokens chose it, and experts no token chose are
/// not read at all. Uses <see cref="MatMulJob"/> for every projection, so each output has the same arithmetic as a
/// dense matmul of the same row. A reused object: it allocates nothing once its buffers fit the largest batch.
/// <para>
/// Each expert's rows are split over the pool's workers, one expert after the other; but when the experts have a
/// row or two each (decoding), the dispatches would cost more than the work, so the experts are dealt out whole to
/// the workers instead, each running its experts on the calling thread: one dispatch for the whole layer.
/// </para>
/// </summary>
public sealed unsafe class ExpertMatMul : IComputeJob, IDisposable
{
    private readonly SimdLevel _level;
    private MatMulJob[] _workers = [];
    private ComputePool[] _inline = [];
    private int[] _owner = [];
    private long[] _load = [];
    private PackedMatrix[] _gates = [];
    private PackedMatrix[] _ups = [];
    private PackedMatrix[] _downs = [];
    private int[] _counts = [];
    private int[] _starts = [];
    private int[] _cursor = [];
    private int[] _order = [];
    private NativeBuffer<float> _input = new(0);
    private NativeBuffer<float> _gate = new(0);
    private NativeBuffer<float> _up = new(0);
    private NativeBuffer<float> _down = new(0);

    public ExpertMatMul(SimdLevel level) => _level = level;

    public ExpertMatMul() : this(SimdSupport.Level)
    {
    }

    /// <summary>output[r] = down_e(silu(gate_e·x) · up_e·x) for every route r = token·used + slot, with e = experts[r] and x = input[token].</summary>
    /// <param name="gates">[expert] each [width, cols]; likewise <paramref name="ups"/>.</param>
    /// <param name="downs">[expert] each [rows, width].</param>
    /// <param name="input">[tokens, cols]</param>
    /// <param name="experts">[tokens · used] the expert of each route.</param>
    /// <param name="output">[tokens · used, rows]</param>
    public void Run(ComputePool pool, MatMulJob matmul, PackedMatrix[] gates, PackedMatrix[] ups, PackedMatrix[] downs,
        float* input, int tokens, ReadOnlySpan<int> experts, int used, float* output)
    {
        var routes = tokens * used;
        if (experts.Length != routes)
            throw new ArgumentException($"{experts.Length} routes for {tokens} tokens of {used} experts");
        var cols = gates[0].Cols;
        var width = gates[0].Rows;
        var rows = downs[0].Rows;
        Group(experts, gates.Length);
        Grow(ref _input, (long)routes * cols);
        Grow(ref _gate, (long)routes * width);
        Grow(ref _up, (long)routes * width);
        Grow(ref _down, (long)routes * rows);

        for (var i = 0; i < routes; i++)
            Copy(input + (long)(_order[i] / used) * cols, _input.Pointer + (long)i * cols, cols);
        _gates = gates;
        _ups = ups;
        _downs = downs;
        var active = 0;
        for (var e = 0; e < gates.Length; e++)
            active += _counts[e] > 0 ? 1 : 0;
        if (pool.ThreadCount > 1 && active >= pool.ThreadCount && routes <= 2 * active)
        {
            DealOut(pool.ThreadCount);
            pool.Run(this);
        }
        else
        {
            for (var e = 0; e < gates.Length; e++)
            {
                if (_counts[e] > 0)
                    Multiply(matmul, pool, e);
            }
        }
        for (var i = 0; i < routes; i++)
            Copy(_down.Pointer + (long)i * rows, output + (long)_order[i] * rows, rows);
    }

    public void Execute(int worker, int workerCount)
    {
        for (var e = 0; e < _gates.Length; e++)
        {
            if (_owner[e] == worker)
                Multiply(_workers[worker], _inline[worker], e);
        }
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
            worker.Dispose();
        foreach (var inline in _inline)
            inline.Dispose();
        _input.Dispose();
        _gate.Dispose();
        _up.Dispose();
        _down.Dispose();
    }

    /// <summary>Expert e's SwiGLU network over its gathered rows.</summary>
    private void Multiply(MatMulJob matmul, ComputePool pool, int e)
    {
        var start = _starts[e];
        var count = _counts[e];
        var width = _gates[e].Rows;
        var gate = _gate.Pointer + (long)start * width;
        matmul.RunGated(pool, _gates[e], _ups[e], _input.Pointer + (long)start * _gates[e].Cols, count, gate, _up.Pointer + (long)start * width);
        matmul.Run(pool, _downs[e], gate, count, _down.Pointer + (long)start * _downs[e].Rows);
    }

    /// <summary>Gives each chosen expert to a worker, the most-chosen first, each to the worker with the fewest rows so far.</summary>
    private void DealOut(int workers)
    {
        for (var i = _workers.Length; i < workers; i++)
        {
            _workers = [.. _workers, new MatMulJob(_level)];
            _inline = [.. _inline, new ComputePool(1)];
        }
        if (_load.Length < workers)
            _load = new long[workers];
        _load.AsSpan(0, workers).Clear();
        _owner.AsSpan().Fill(-1);
        while (true)
        {
            var next = -1;
            for (var e = 0; e < _gates.Length; e++)
            {
                if (_counts[e] > 0 && _owner[e] < 0 && (next < 0 || _counts[e] > _counts[next]))
                    next = e;
            }
            if (next < 0)
                return;
            var lightest = 0;
            for (var w = 1; w < workers; w++)
            {
                if (_load[w] < _load[lightest])
                    lightest = w;
            }
            _owner[next] = lightest;
            _load[lightest] += _counts[next];
        }
    }

    /// <summary>A counting sort of the routes by expert, stable in token order: _order[_starts[e] ..] are expert e's routes.</summary>
    private void Group(ReadOnlySpan<int> experts, int expertCount)
    {
        if (_counts.Length < expertCount)
        {
            _counts = new int[expertCount];
            _starts = new int[expertCount];
            _cursor = new int[expertCount];
            _owner = new int[expertCount];
        }
        if (_order.Length < experts.Length)
            _order = new int[experts.Length];
        _counts.AsSpan(0, expertCount).Clear();
        foreach (var e in experts)
        {
            if ((uint)e >= (uint)expertCount)
                throw new ArgumentOutOfRangeException(nameof(experts), e, $"expert id outside [0, {expertCount})");
            _counts[e]++;
        }
        var next = 0;
        for (var e = 0; e < expertCount; e++)
        {
            _starts[e] = next;
            next += _counts[e];
        }
        _starts.AsSpan(0, expertCount).CopyTo(_cursor);
        for (var r = 0; r < experts.Length; r++)
            _order[_cursor[experts[r]]++] = r;
    }

    private static void Grow(ref NativeBuffer<float> buffer, long length)
    {
        if (length <= buffer.Length)
            return;
        buffer.Dispose();
        buffer = new NativeBuffer<float>(length);
    }

    private static void Copy(float* source, float* destination, int count) =>
        Buffer.MemoryCopy(source, destination, (long)count * sizeof(float), (long)count * sizeof(float));
}
