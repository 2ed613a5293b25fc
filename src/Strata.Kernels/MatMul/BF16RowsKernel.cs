using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for BF16 weight rows and activations rounded to bf16, in the order of ggml's vec_dot_bf16 on a CPU with
/// AVX512-BF16 (what llama.cpp runs for a single token here): over each 64 elements two accumulators of 16 lanes,
/// lane j of the first taking the pair 2j, 2j + 1 of elements 0-31 and of the second of elements 32-63, as vdpbf16ps
/// does (the odd product first, each added with one rounding, which a fused multiply-add of the exact bf16 product
/// reproduces); then both reduced as _mm512_reduce_add_ps, summed in double with the tail, and rounded to float.
/// Activations come split per 32 elements into their odd and even lanes (<see cref="QuantizedActivations"/>), so a
/// weight vector needs only a mask and a shift. Rows are read as stored, two at a time for tiles of four tokens, each
/// pair widened once per tile (there is no bf16 dot product instruction in .NET, so every product is an f32 FMA).
/// </summary>
internal static unsafe class BF16RowsKernel
{
    private const int Step = 64;

    /// <summary>
    /// Bytes of rounded activations a token block may take: they stay in a core's L2 (1 MB and more on AVX-512 CPUs)
    /// while the worker's rows stream past them, instead of every row pair pulling the whole batch from L3 again.
    /// </summary>
    private const int TokenBlockBytes = 512 * 1024;

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
    {
        var begin = groupStart * PackedMatrix.GroupRows;
        var end = Math.Min(w.Rows, groupEnd * PackedMatrix.GroupRows);
        if (level != SimdLevel.Avx512)
        {
            for (var row = begin; row < end; row++)
            {
                for (var t = 0; t < a.Batch; t++)
                    output.Write(t, row, level == SimdLevel.Avx2 ? Dot256(w, row, a, t) : DotScalar(w, row, a, t));
            }
            return;
        }
        var block = TokenBlock(w.Cols);
        for (var first = 0; first < a.Batch; first += block)
        {
            var last = Math.Min(a.Batch, first + block);
            for (var row = begin; row < end; row += 2)
            {
                var second = Math.Min(row + 1, end - 1);
                var t = first;
                for (; t + FourTokens.Count <= last; t += FourTokens.Count)
                    Tile512<FourTokens>(w, row, second, a, t, output);
                for (; t < last; t++)
                    Tile512<OneToken>(w, row, second, a, t, output);
            }
        }
    }

    /// <summary>Tokens per block: as many whole tiles of four as fit <see cref="TokenBlockBytes"/> (at least one tile).</summary>
    internal static int TokenBlock(int cols) =>
        Math.Max(FourTokens.Count, TokenBlockBytes / (sizeof(float) * cols) / FourTokens.Count * FourTokens.Count);

    /// <summary>Two rows (the same one twice for a matrix's odd last row) for one or four tokens.</summary>
    private static void Tile512<TTile>(PackedMatrix w, int row, int second, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var steps = w.Cols / Step * Step;
        var w0 = (ushort*)w.Source.Row(row);
        var w1 = (ushort*)w.Source.Row(second);
        var x0 = a.Floats(t);
        var x1 = a.Floats(t + Math.Min(1, n - 1));
        var x2 = a.Floats(t + Math.Min(2, n - 1));
        var x3 = a.Floats(t + n - 1);
        Accumulators r0t0 = default, r0t1 = default, r0t2 = default, r0t3 = default;
        Accumulators r1t0 = default, r1t1 = default, r1t2 = default, r1t3 = default;
        // Rows are stored back to back, so the next pair follows this one: fetch its lines at the pace this pair is
        // read (256 bytes a step), each line once and a whole pair ahead of the loads.
        var next = (byte*)w0 + 2 * w.Source.RowBytes;
        for (var i = 0; i < steps; i += Step)
        {
            CacheLines.Prefetch(next + 4L * i, 4 * Step);
            var p0 = new Pairs(w0 + i);
            var p1 = new Pairs(w1 + i);
            var x = new Split(x0 + i);
            r0t0 = r0t0.Add(p0, x);
            r1t0 = r1t0.Add(p1, x);
            if (TTile.Count > 1)
            {
                x = new Split(x1 + i);
                r0t1 = r0t1.Add(p0, x);
                r1t1 = r1t1.Add(p1, x);
                x = new Split(x2 + i);
                r0t2 = r0t2.Add(p0, x);
                r1t2 = r1t2.Add(p1, x);
                x = new Split(x3 + i);
                r0t3 = r0t3.Add(p0, x);
                r1t3 = r1t3.Add(p1, x);
            }
        }
        Write(output, t, row, second, r0t0, r1t0, w0, w1, x0, w.Cols);
        if (TTile.Count > 1)
        {
            Write(output, t + 1, row, second, r0t1, r1t1, w0, w1, x1, w.Cols);
            Write(output, t + 2, row, second, r0t2, r1t2, w0, w1, x2, w.Cols);
            Write(output, t + 3, row, second, r0t3, r1t3, w0, w1, x3, w.Cols);
        }
    }

    private static void Write(MatMulOutput output, int t, int row, int second, in Accumulators first, in Accumulators other,
        ushort* w0, ushort* w1, float* x, int cols)
    {
        output.Write(t, row, Finish(DotProduct.ReduceAdd(first.C1), DotProduct.ReduceAdd(first.C2), w0, x, cols));
        if (second != row)
            output.Write(t, second, Finish(DotProduct.ReduceAdd(other.C1), DotProduct.ReduceAdd(other.C2), w1, x, cols));
    }

    /// <summary>ggml's ending: both reduced accumulators and the tail's float products summed in double.</summary>
    private static float Finish(float c1, float c2, ushort* w, float* x, int cols)
    {
        double sum = 0;
        sum += c1;
        sum += c2;
        for (var i = cols / Step * Step; i < cols; i++)
            sum += Quant.Bf16.ToSingle(w[i]) * x[i];
        return (float)sum;
    }

    /// <summary>Eight-lane emulation of the 16 lanes: the low half takes pairs 0-7, the high half pairs 8-15.</summary>
    private static float Dot256(PackedMatrix w, int row, QuantizedActivations a, int t)
    {
        var weights = (ushort*)w.Source.Row(row);
        var x = a.Floats(t);
        Vector256<float> c1Low = default, c1High = default, c2Low = default, c2High = default;
        for (var i = 0; i < w.Cols / Step * Step; i += Step)
        {
            c1Low = Pairs256(c1Low, Vector256.Load((uint*)(weights + i)), x + i);
            c1High = Pairs256(c1High, Vector256.Load((uint*)(weights + i + 16)), x + i + 8);
            c2Low = Pairs256(c2Low, Vector256.Load((uint*)(weights + i + 32)), x + i + 32);
            c2High = Pairs256(c2High, Vector256.Load((uint*)(weights + i + 48)), x + i + 40);
        }
        return Finish(DotProduct.ReduceAdd(c1Low, c1High), DotProduct.ReduceAdd(c2Low, c2High), weights, x, w.Cols);
    }

    /// <summary>c + the odd, then the even lanes of eight weight pairs against split activations (odd at x, even at x + 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pairs256(Vector256<float> c, Vector256<uint> pairs, float* x) =>
        Vector256.FusedMultiplyAdd((pairs << 16).AsSingle(), Vector256.Load(x + 16),
            Vector256.FusedMultiplyAdd((pairs & Vector256.Create(0xFFFF0000u)).AsSingle(), Vector256.Load(x), c));

    private static float DotScalar(PackedMatrix w, int row, QuantizedActivations a, int t)
    {
        var weights = (ushort*)w.Source.Row(row);
        var x = a.Floats(t);
        var c = stackalloc float[2 * 16];
        new Span<float>(c, 32).Clear();
        for (var i = 0; i < w.Cols / Step * Step; i += Step)
        {
            for (var half = 0; half < 2; half++)
            {
                for (var j = 0; j < 16; j++)
                {
                    var odd = x + i + 32 * half + j;
                    c[16 * half + j] = MathF.FusedMultiplyAdd(Quant.Bf16.ToSingle(weights[i + 32 * half + 2 * j + 1]), odd[0], c[16 * half + j]);
                    c[16 * half + j] = MathF.FusedMultiplyAdd(Quant.Bf16.ToSingle(weights[i + 32 * half + 2 * j]), odd[16], c[16 * half + j]);
                }
            }
        }
        return Finish(DotProduct.ReduceAdd(c), DotProduct.ReduceAdd(c + 16), weights, x, w.Cols);
    }

    /// <summary>One 64-element step of a weight row, widened: the odd and even lanes of each 32-element half.</summary>
    private readonly struct Pairs
    {
        public readonly Vector512<float> Odd0, Even0, Odd1, Even1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Pairs(ushort* weights)
        {
            var high = Vector512.Create(0xFFFF0000u);
            var p = Vector512.Load((uint*)weights);
            var q = Vector512.Load((uint*)(weights + 32));
            (Odd0, Even0, Odd1, Even1) = ((p & high).AsSingle(), (p << 16).AsSingle(), (q & high).AsSingle(), (q << 16).AsSingle());
        }
    }

    /// <summary>One 64-element step of a token's split activations, loaded once for both rows of a pair.</summary>
    private readonly struct Split
    {
        public readonly Vector512<float> Odd0, Even0, Odd1, Even1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Split(float* x) => (Odd0, Even0, Odd1, Even1) = (Vector512.Load(x), Vector512.Load(x + 16), Vector512.Load(x + 32), Vector512.Load(x + 48));
    }

    /// <summary>The two 16-lane vdpbf16ps accumulators of one output.</summary>
    private struct Accumulators
    {
        public Vector512<float> C1, C2;

        /// <summary>Adds one 64-element step: each lane the odd product, then the even one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly Accumulators Add(in Pairs w, in Split x) => new()
        {
            C1 = Vector512.FusedMultiplyAdd(w.Even0, x.Even0, Vector512.FusedMultiplyAdd(w.Odd0, x.Odd0, C1)),
            C2 = Vector512.FusedMultiplyAdd(w.Even1, x.Even1, Vector512.FusedMultiplyAdd(w.Odd1, x.Odd1, C2)),
        };
    }
}
