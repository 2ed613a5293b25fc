using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for F16 weight rows and activations rounded to half, in the order of ggml's vec_dot_f16 (what llama.cpp
/// runs for a single token): four 16-lane accumulators over 64-element steps, combined as (s0 + s2) + (s1 + s3),
/// reduced as _mm512_reduce_add_ps and summed in double with the tail (<see cref="DotProduct.Widened(float*, float*, int, SimdLevel)"/>).
/// A group's rows are widened once into the worker's scratch, then each row meets the tokens four at a time, so
/// the widening is paid once per row and batch rather than once per token.
/// </summary>
internal static unsafe class F16RowsKernel
{
    private const int Lanes = 16;
    private const int Step = 4 * Lanes;

    /// <summary>Floats of scratch a worker lends <see cref="Run"/> for a matrix of <paramref name="cols"/> columns: a widened row group.</summary>
    public static long ScratchFloats(int cols) => (long)PackedMatrix.GroupRows * cols;

    /// <param name="scratch">float[<see cref="ScratchFloats"/>] owned by the calling worker.</param>
    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, float* scratch, SimdLevel level)
    {
        var cols = w.Cols;
        for (var g = groupStart; g < groupEnd; g++)
        {
            var first = g * PackedMatrix.GroupRows;
            var count = Math.Min(PackedMatrix.GroupRows, w.Rows - first);
            if (level == SimdLevel.Avx512 && a.Batch < 4)
            {
                // Decode: widen as the row streams by instead of through the scratch.
                for (var i = 0; i < count; i++)
                {
                    for (var t = 0; t < a.Batch; t++)
                        output.Write(t, first + i, StreamingRow512((ushort*)w.Source.Row(first + i), a.Floats(t), cols));
                }
                continue;
            }
            for (var i = 0; i < count; i++)
                HalfConversion.ToSingle((ushort*)w.Source.Row(first + i), scratch + (long)i * cols, cols, level);
            for (var i = 0; i < count; i++)
            {
                var row = scratch + (long)i * cols;
                var t = 0;
                if (level == SimdLevel.Avx512)
                {
                    for (; t + 4 <= a.Batch; t += 4)
                        FourTokens512(row, a, t, cols, output, first + i);
                }
                for (; t < a.Batch; t++)
                    output.Write(t, first + i, DotProduct.Widened(row, a.Floats(t), cols, level));
            }
        }
    }

    /// <summary>One F16 row widened 64 elements at a time into the four accumulators, in the order of <see cref="DotProduct.Widened(float*, float*, int, SimdLevel)"/>.</summary>
    private static float StreamingRow512(ushort* row, float* x, int cols)
    {
        var s = default(Accumulators);
        var steps = cols / Step * Step;
        for (var i = 0; i < steps; i += Step)
        {
            // The next row follows this one: fetch its lines at the pace this one is read, each line once.
            CacheLines.Prefetch(row + cols + i, 2 * Step);
            s = s.Add(HalfConversion.ToSingle(Vector256.Load(row + i)), HalfConversion.ToSingle(Vector256.Load(row + i + Lanes)),
                HalfConversion.ToSingle(Vector256.Load(row + i + 2 * Lanes)), HalfConversion.ToSingle(Vector256.Load(row + i + 3 * Lanes)), x + i);
        }
        double total = cols >= Step ? DotProduct.ReduceAdd((s.S0 + s.S2) + (s.S1 + s.S3)) : 0f;
        for (var i = steps; i < cols; i++)
            total += HalfConversion.ToSingle(row[i]) * x[i];
        return (float)total;
    }

    /// <summary>One widened row against four tokens, each in the order of <see cref="DotProduct.Widened(float*, float*, int, SimdLevel)"/>.</summary>
    private static void FourTokens512(float* row, QuantizedActivations a, int t, int cols, MatMulOutput output, int outputRow)
    {
        var x0 = a.Floats(t);
        var x1 = a.Floats(t + 1);
        var x2 = a.Floats(t + 2);
        var x3 = a.Floats(t + 3);
        Accumulators s0 = default, s1 = default, s2 = default, s3 = default;
        var steps = cols / Step * Step;
        for (var i = 0; i < steps; i += Step)
        {
            var w0 = Vector512.Load(row + i);
            var w1 = Vector512.Load(row + i + Lanes);
            var w2 = Vector512.Load(row + i + 2 * Lanes);
            var w3 = Vector512.Load(row + i + 3 * Lanes);
            s0 = s0.Add(w0, w1, w2, w3, x0 + i);
            s1 = s1.Add(w0, w1, w2, w3, x1 + i);
            s2 = s2.Add(w0, w1, w2, w3, x2 + i);
            s3 = s3.Add(w0, w1, w2, w3, x3 + i);
        }
        output.Write(t, outputRow, s0.Finish(row, x0, cols));
        output.Write(t + 1, outputRow, s1.Finish(row, x1, cols));
        output.Write(t + 2, outputRow, s2.Finish(row, x2, cols));
        output.Write(t + 3, outputRow, s3.Finish(row, x3, cols));
    }

    /// <summary>ggml's four accumulators of one output.</summary>
    private struct Accumulators
    {
        public Vector512<float> S0, S1, S2, S3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly Accumulators Add(Vector512<float> w0, Vector512<float> w1, Vector512<float> w2, Vector512<float> w3, float* x) => new()
        {
            S0 = Vector512.FusedMultiplyAdd(w0, Vector512.Load(x), S0),
            S1 = Vector512.FusedMultiplyAdd(w1, Vector512.Load(x + Lanes), S1),
            S2 = Vector512.FusedMultiplyAdd(w2, Vector512.Load(x + 2 * Lanes), S2),
            S3 = Vector512.FusedMultiplyAdd(w3, Vector512.Load(x + 3 * Lanes), S3),
        };

        public readonly float Finish(float* w, float* x, int cols)
        {
            double total = cols >= Step ? DotProduct.ReduceAdd((S0 + S2) + (S1 + S3)) : 0f;
            for (var i = cols / Step * Step; i < cols; i++)
                total += w[i] * x[i];
            return (float)total;
        }
    }
}
