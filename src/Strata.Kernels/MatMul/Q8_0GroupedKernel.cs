using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q8_0 weights in <see cref="MatrixLayout.Q8_0Grouped"/> groups of 16 rows and Q8_0 activations, in
/// the order of ggml's AVX2 vec_dot_q8_0_q8_0 and llamafile's tinyBLAS (which llama.cpp uses for Q8_0 at any batch
/// size): eight float lanes per output, lane l taking the integer sum of quants 4l..4l+3 of each block,
/// acc_l = fma(d_w·d_a, sum_l, acc_l), and the lanes added as hsum_float_8 does. AVX-512 holds two rows in one
/// vector (low and high eight lanes); the 16 scales of a block are widened together and spread to the row pairs.
/// Signed×signed products use the sign trick: |w| times a with w's sign, which vpmaddubsw accepts. With AVX-VNNI
/// the decode GEMV takes <see cref="GroupVnni"/> instead, with the same integer sums in fewer instructions.
/// </summary>
internal static unsafe class Q8_0GroupedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int BlockBytes = PackedMatrix.Q8_0GroupQuantBytes;
    private const int PrefetchBlocks = 8;
    private const int PrefetchDistance = PrefetchBlocks * BlockBytes;

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level) =>
        Run(w, groupStart, groupEnd, a, output, level, AvxVnni.IsSupported);

    /// <param name="vnni">Whether single tokens take <see cref="GroupVnni"/> (AVX-VNNI; tests pass false to reach the other paths).</param>
    internal static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level, bool vnni)
    {
        var blocks = w.Cols / 32;
        for (var g = groupStart; g < groupEnd; g++)
        {
            var quants = w.Data + g * w.GroupStride;
            var group = new Group(quants, (ushort*)(quants + (long)blocks * BlockBytes), blocks, g * Rows, Math.Min(Rows, w.Rows - g * Rows));
            if (level == SimdLevel.Avx512)
            {
                var t = 0;
                for (; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                {
                    for (var half = 0; half < 2 && half * 8 < group.Count; half++)
                        Tile512(group, half, a, t, output);
                }
                for (; t < a.Batch; t++)
                {
                    if (vnni)
                        GroupVnni(group, a, t, output, level);
                    else
                        Group512(group, a, t, output);
                }
                continue;
            }
            if (vnni && level == SimdLevel.Avx2)
            {
                for (var t = 0; t < a.Batch; t++)
                    GroupVnni(group, a, t, output, level);
                continue;
            }
            for (var half = 0; half < 2 && half * 8 < group.Count; half++)
            {
                int t;
                switch (level)
                {
                    case SimdLevel.Avx2:
                        for (var row = 8 * half; row < Math.Min(8 * half + 8, group.Count); row++)
                        {
                            for (t = 0; t < a.Batch; t++)
                                output.Write(t, group.Row + row, Row256(group, row, a, t));
                        }
                        break;
                    default:
                        for (var row = 8 * half; row < Math.Min(8 * half + 8, group.Count); row++)
                        {
                            for (t = 0; t < a.Batch; t++)
                                output.Write(t, group.Row + row, RowScalar(group, row, a, t));
                        }
                        break;
                }
            }
        }
    }

    /// <summary>Rows 8·half .. 8·half + 7 (four pairs) of the group for four tokens.</summary>
    private static void Tile512(in Group group, int half, QuantizedActivations a, int t, MatMulOutput output)
    {
        Vector512<float> acc00 = default, acc01 = default, acc02 = default, acc03 = default;
        Vector512<float> acc10 = default, acc11 = default, acc12 = default, acc13 = default;
        Vector512<float> acc20 = default, acc21 = default, acc22 = default, acc23 = default;
        Vector512<float> acc30 = default, acc31 = default, acc32 = default, acc33 = default;
        var q0 = a.Quants(t);
        var q1 = a.Quants(t + 1);
        var q2 = a.Quants(t + 2);
        var q3 = a.Quants(t + 3);
        var d0 = a.Scales(t);
        var d1 = a.Scales(t + 1);
        var d2 = a.Scales(t + 2);
        var d3 = a.Scales(t + 3);
        // Lanes 0-7 take row 2p's scale, lanes 8-15 row 2p+1's.
        var spread0 = RowPairs.Spread(4 * half);
        var spread1 = RowPairs.Spread(4 * half + 1);
        var spread2 = RowPairs.Spread(4 * half + 2);
        var spread3 = RowPairs.Spread(4 * half + 3);
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = (sbyte*)group.Quants + b * BlockBytes + 256 * half;
            var w0 = Vector512.Load(quants);
            var w1 = Vector512.Load(quants + 64);
            var w2 = Vector512.Load(quants + 128);
            var w3 = Vector512.Load(quants + 192);
            var m0 = Vector512.Abs(w0).AsByte();
            var m1 = Vector512.Abs(w1).AsByte();
            var m2 = Vector512.Abs(w2).AsByte();
            var m3 = Vector512.Abs(w3).AsByte();
            var n0 = Vector512.LessThan(w0, Vector512<sbyte>.Zero);
            var n1 = Vector512.LessThan(w1, Vector512<sbyte>.Zero);
            var n2 = Vector512.LessThan(w2, Vector512<sbyte>.Zero);
            var n3 = Vector512.LessThan(w3, Vector512<sbyte>.Zero);
            var scales = HalfConversion.ToSingle(Vector256.Load(group.Scales + b * Rows));
            var dw0 = Avx512F.PermuteVar16x32(scales, spread0);
            var dw1 = Avx512F.PermuteVar16x32(scales, spread1);
            var dw2 = Avx512F.PermuteVar16x32(scales, spread2);
            var dw3 = Avx512F.PermuteVar16x32(scales, spread3);
            var offset = b * 32;

            var x = RowPairs.Activations(q0 + offset);
            var da = d0[b];
            acc00 = Lanes(acc00, m0, n0, x, dw0 * da);
            acc10 = Lanes(acc10, m1, n1, x, dw1 * da);
            acc20 = Lanes(acc20, m2, n2, x, dw2 * da);
            acc30 = Lanes(acc30, m3, n3, x, dw3 * da);
            x = RowPairs.Activations(q1 + offset);
            da = d1[b];
            acc01 = Lanes(acc01, m0, n0, x, dw0 * da);
            acc11 = Lanes(acc11, m1, n1, x, dw1 * da);
            acc21 = Lanes(acc21, m2, n2, x, dw2 * da);
            acc31 = Lanes(acc31, m3, n3, x, dw3 * da);
            x = RowPairs.Activations(q2 + offset);
            da = d2[b];
            acc02 = Lanes(acc02, m0, n0, x, dw0 * da);
            acc12 = Lanes(acc12, m1, n1, x, dw1 * da);
            acc22 = Lanes(acc22, m2, n2, x, dw2 * da);
            acc32 = Lanes(acc32, m3, n3, x, dw3 * da);
            x = RowPairs.Activations(q3 + offset);
            da = d3[b];
            acc03 = Lanes(acc03, m0, n0, x, dw0 * da);
            acc13 = Lanes(acc13, m1, n1, x, dw1 * da);
            acc23 = Lanes(acc23, m2, n2, x, dw2 * da);
            acc33 = Lanes(acc33, m3, n3, x, dw3 * da);
        }
        var row = group.Row + 8 * half;
        var count = Math.Min(8, group.Count - 8 * half);
        RowPairs.Write(output, t, row, count, acc00, acc10, acc20, acc30);
        RowPairs.Write(output, t + 1, row, count, acc01, acc11, acc21, acc31);
        RowPairs.Write(output, t + 2, row, count, acc02, acc12, acc22, acc32);
        RowPairs.Write(output, t + 3, row, count, acc03, acc13, acc23, acc33);
    }

    /// <summary>All 16 rows (eight pairs) of the group for one token: the decode GEMV, reading the group front to back.</summary>
    private static void Group512(in Group group, QuantizedActivations a, int t, MatMulOutput output)
    {
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        var quantsOfToken = a.Quants(t);
        var scalesOfToken = a.Scales(t);
        var spread0 = RowPairs.Spread(0);
        var spread1 = RowPairs.Spread(1);
        var spread2 = RowPairs.Spread(2);
        var spread3 = RowPairs.Spread(3);
        var spread4 = RowPairs.Spread(4);
        var spread5 = RowPairs.Spread(5);
        var spread6 = RowPairs.Spread(6);
        var spread7 = RowPairs.Spread(7);
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = (sbyte*)group.Quants + b * BlockBytes;
            CacheLines.Prefetch(quants + PrefetchDistance, BlockBytes);
            CacheLines.Prefetch(group.Scales + (b + PrefetchBlocks) * Rows, PackedMatrix.Q8_0GroupScaleBytes);
            var x = RowPairs.Activations(quantsOfToken + b * 32);
            var scales = HalfConversion.ToSingle(Vector256.Load(group.Scales + b * Rows)) * scalesOfToken[b];
            acc0 = Lanes(acc0, Vector512.Load(quants), x, Avx512F.PermuteVar16x32(scales, spread0));
            acc1 = Lanes(acc1, Vector512.Load(quants + 64), x, Avx512F.PermuteVar16x32(scales, spread1));
            acc2 = Lanes(acc2, Vector512.Load(quants + 128), x, Avx512F.PermuteVar16x32(scales, spread2));
            acc3 = Lanes(acc3, Vector512.Load(quants + 192), x, Avx512F.PermuteVar16x32(scales, spread3));
            acc4 = Lanes(acc4, Vector512.Load(quants + 256), x, Avx512F.PermuteVar16x32(scales, spread4));
            acc5 = Lanes(acc5, Vector512.Load(quants + 320), x, Avx512F.PermuteVar16x32(scales, spread5));
            acc6 = Lanes(acc6, Vector512.Load(quants + 384), x, Avx512F.PermuteVar16x32(scales, spread6));
            acc7 = Lanes(acc7, Vector512.Load(quants + 448), x, Avx512F.PermuteVar16x32(scales, spread7));
        }
        RowPairs.Write(output, t, group.Row, Math.Min(8, group.Count), acc0, acc1, acc2, acc3);
        if (group.Count > 8)
            RowPairs.Write(output, t, group.Row + 8, group.Count - 8, acc4, acc5, acc6, acc7);
    }

    /// <summary>
    /// All 16 rows of the group for one token with AVX-VNNI's 256-bit vpdpbusd, each row in its own eight lanes (the
    /// lanes of <see cref="Group512"/>). vpdpbusd multiplies unsigned by signed bytes, so the weights are offset by
    /// 128 (their sign bit flipped) and each block's lane sums start from -128 times the activations' lane sums: the
    /// integer sums are exactly the sign trick's, in four instructions a row and block instead of eight (decode read
    /// 1.3x faster in a 2-thread microbenchmark). The scales are prefetched too: their stream restarts every group.
    /// </summary>
    private static void GroupVnni(in Group group, QuantizedActivations a, int t, MatMulOutput output, SimdLevel level)
    {
        var quantsOfToken = a.Quants(t);
        var scalesOfToken = a.Scales(t);
        var sums = stackalloc float[Rows];
        GroupVnni(group, quantsOfToken, scalesOfToken, sums, level);
        for (var i = 0; i < group.Count; i++)
            output.Write(t, group.Row + i, sums[i]);
    }

    /// <summary>
    /// The loop of <see cref="GroupVnni(in Group, QuantizedActivations, int, MatMulOutput, SimdLevel)"/> in a method
    /// of its own, started after the calls for the token's pointers: with the accumulators live across those calls
    /// the JIT kept all 16 on the stack (a load and a store per row and block), and the block's eight prefetches are
    /// unrolled (the loop of <see cref="CacheLines.Prefetch"/> costs five instructions a line). Together with the
    /// scales widened 16 at a time this cut the GEMV's instructions per block by about a third (one thread, 2048×2048
    /// in cache: 33-34 → 44-48 GB/s).
    /// </summary>
    private static void GroupVnni(in Group group, sbyte* quantsOfToken, float* scalesOfToken, float* sums, SimdLevel level)
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default, acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        Vector256<float> acc8 = default, acc9 = default, acc10 = default, acc11 = default, acc12 = default, acc13 = default, acc14 = default, acc15 = default;
        Vector512<float> scaleStore; // d_w·d_a of the block's 16 rows, read back by the FMAs' broadcasts
        var d = (float*)&scaleStore;
        var blocks = group.Blocks;
        var w = (sbyte*)group.Quants;
        var scales = group.Scales;
        for (var b = 0; b < blocks; b++, w += BlockBytes, scales += Rows)
        {
            CacheLines.Prefetch512(w + PrefetchDistance);
            Sse.Prefetch0(scales + PrefetchBlocks * Rows);
            var x = Vector256.Load(quantsOfToken + b * 32);
            var start = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, Vector256.Create((byte)0x80), x);
            var da = scalesOfToken[b];
            if (level == SimdLevel.Avx512)
            {
                (HalfConversion.ToSingle(Vector256.Load(scales)) * da).Store(d);
            }
            else
            {
                (HalfConversion.ToSingle(Vector128.Load(scales)) * da).Store(d);
                (HalfConversion.ToSingle(Vector128.Load(scales + 8)) * da).Store(d + 8);
            }
            acc0 = RowVnni(acc0, w, x, start, d[0]);
            acc1 = RowVnni(acc1, w + 32, x, start, d[1]);
            acc2 = RowVnni(acc2, w + 64, x, start, d[2]);
            acc3 = RowVnni(acc3, w + 96, x, start, d[3]);
            acc4 = RowVnni(acc4, w + 128, x, start, d[4]);
            acc5 = RowVnni(acc5, w + 160, x, start, d[5]);
            acc6 = RowVnni(acc6, w + 192, x, start, d[6]);
            acc7 = RowVnni(acc7, w + 224, x, start, d[7]);
            acc8 = RowVnni(acc8, w + 256, x, start, d[8]);
            acc9 = RowVnni(acc9, w + 288, x, start, d[9]);
            acc10 = RowVnni(acc10, w + 320, x, start, d[10]);
            acc11 = RowVnni(acc11, w + 352, x, start, d[11]);
            acc12 = RowVnni(acc12, w + 384, x, start, d[12]);
            acc13 = RowVnni(acc13, w + 416, x, start, d[13]);
            acc14 = RowVnni(acc14, w + 448, x, start, d[14]);
            acc15 = RowVnni(acc15, w + 480, x, start, d[15]);
        }
        sums[0] = RowPairs.HorizontalSum(acc0);
        sums[1] = RowPairs.HorizontalSum(acc1);
        sums[2] = RowPairs.HorizontalSum(acc2);
        sums[3] = RowPairs.HorizontalSum(acc3);
        sums[4] = RowPairs.HorizontalSum(acc4);
        sums[5] = RowPairs.HorizontalSum(acc5);
        sums[6] = RowPairs.HorizontalSum(acc6);
        sums[7] = RowPairs.HorizontalSum(acc7);
        sums[8] = RowPairs.HorizontalSum(acc8);
        sums[9] = RowPairs.HorizontalSum(acc9);
        sums[10] = RowPairs.HorizontalSum(acc10);
        sums[11] = RowPairs.HorizontalSum(acc11);
        sums[12] = RowPairs.HorizontalSum(acc12);
        sums[13] = RowPairs.HorizontalSum(acc13);
        sums[14] = RowPairs.HorizontalSum(acc14);
        sums[15] = RowPairs.HorizontalSum(acc15);
    }

    /// <summary>acc (one row's eight lanes) += d · (lane sums of (w + 128) × a, started at -128 × the lane sums of a).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RowVnni(Vector256<float> acc, sbyte* weights, Vector256<sbyte> activations, Vector256<int> start, float d)
    {
        var offset = (Vector256.Load(weights) ^ Vector256.Create(sbyte.MinValue)).AsByte();
        var sums = AvxVnni.MultiplyWideningAndAdd(start, offset, activations);
        return Vector256.FusedMultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sums), acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lanes(Vector512<float> acc, Vector512<sbyte> weights, Vector512<sbyte> activations, Vector512<float> d) =>
        Lanes(acc, Vector512.Abs(weights).AsByte(), Vector512.LessThan(weights, Vector512<sbyte>.Zero), activations, d);

    /// <summary>acc (two rows × eight lanes) += d · (lane sums of |w| × a·sign(w)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lanes(Vector512<float> acc, Vector512<byte> magnitudes, Vector512<sbyte> negative, Vector512<sbyte> activations, Vector512<float> d)
    {
        var signed = Avx512BW.BlendVariable(activations, -activations, negative);
        var sums = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(magnitudes, signed), Vector512<short>.One);
        return Vector512.FusedMultiplyAdd(d, Avx512F.ConvertToVector512Single(sums), acc);
    }

    private static float Row256(in Group group, int row, QuantizedActivations a, int t)
    {
        var acc = Vector256<float>.Zero;
        var quants = a.Quants(t);
        var scales = a.Scales(t);
        for (var b = 0; b < group.Blocks; b++)
        {
            var weights = Vector256.Load((sbyte*)group.Quants + b * BlockBytes + 32 * row);
            var magnitudes = Avx2.Sign(weights, weights).AsByte();
            var signed = Avx2.Sign(Vector256.Load(quants + b * 32), weights);
            var sums = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitudes, signed), Vector256<short>.One);
            var d = HalfConversion.ToSingle(group.Scales[b * Rows + row]) * scales[b];
            acc = Vector256.FusedMultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sums), acc);
        }
        return RowPairs.HorizontalSum(acc);
    }

    private static float RowScalar(in Group group, int row, QuantizedActivations a, int t)
    {
        var quants = a.Quants(t);
        var scales = a.Scales(t);
        var lanes = stackalloc float[8];
        new Span<float>(lanes, 8).Clear();
        for (var b = 0; b < group.Blocks; b++)
        {
            var weights = (sbyte*)group.Quants + b * BlockBytes + 32 * row;
            var d = HalfConversion.ToSingle(group.Scales[b * Rows + row]) * scales[b];
            for (var l = 0; l < 8; l++)
            {
                var sum = 0;
                for (var k = 4 * l; k < 4 * l + 4; k++)
                    sum += weights[k] * quants[b * 32 + k];
                lanes[l] = MathF.FusedMultiplyAdd(d, sum, lanes[l]);
            }
        }
        return RowPairs.HorizontalSum(new ReadOnlySpan<float>(lanes, 8));
    }

    /// <summary>One row group: quants [blocks][16 rows][32] and scales [blocks][16 rows].</summary>
    private readonly struct Group(byte* quants, ushort* scales, int blocks, int row, int count)
    {
        public byte* Quants { get; } = quants;
        public ushort* Scales { get; } = scales;
        public int Blocks { get; } = blocks;
        public int Row { get; } = row;
        public int Count { get; } = count;
    }
}
