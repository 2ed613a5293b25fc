using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Experts;

/// <summary>
/// The routed experts of a mixture-of-experts layer for a batch of tokens, grouped by expert: the rows of the tokens
/// routed to an expert are gathered into one block and that expert's SwiGLU network runs once over all of them, so
/// each expert's weights are read once per call whatever number of tokens chose it, and experts no token chose are
/// not read at all. Uses <see cref="MatMulJob"/> for every projection, so each output has the same arithmetic as a
/// dense matmul of the same row. A reused object: it allocates nothing once its buffers fit the largest batch.
/// </summary>
public sealed unsafe class ExpertMatMul : IDisposable
{
    private int[] _counts = [];
    private int[] _starts = [];
    private int[] _cursor = [];
    private int[] _order = [];
    private NativeBuffer<float> _input = new(0);
    private NativeBuffer<float> _gate = new(0);
    private NativeBuffer<float> _up = new(0);
    private NativeBuffer<float> _down = new(0);

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
        for (var e = 0; e < gates.Length; e++)
        {
            var count = _counts[e];
            if (count == 0)
                continue;
            var start = _starts[e];
            var gate = _gate.Pointer + (long)start * width;
            matmul.RunGated(pool, gates[e], ups[e], _input.Pointer + (long)start * cols, count, gate, _up.Pointer + (long)start * width);
            matmul.Run(pool, downs[e], gate, count, _down.Pointer + (long)start * rows);
        }
        for (var i = 0; i < routes; i++)
            Copy(_down.Pointer + (long)i * rows, output + (long)_order[i] * rows, rows);
    }

    public void Dispose()
    {
        _input.Dispose();
        _gate.Dispose();
        _up.Dispose();
        _down.Dispose();
    }

    /// <summary>A counting sort of the routes by expert, stable in token order: _order[_starts[e] ..] are expert e's routes.</summary>
    private void Group(ReadOnlySpan<int> experts, int expertCount)
    {
        if (_counts.Length < expertCount)
        {
            _counts = new int[expertCount];
            _starts = new int[expertCount];
            _cursor = new int[expertCount];
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
