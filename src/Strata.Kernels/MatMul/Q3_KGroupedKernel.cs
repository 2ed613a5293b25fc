using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q3_K weights in <see cref="MatrixLayout.Q3_KGrouped"/> groups of 16 rows and Q8_K activations, in the
/// order of ggml's AVX2 vec_dot_q3_K_q8_K (llama.cpp's x86 path for Q3_K): per super-block eight integer lanes per
/// output, lane l taking scale·q·a over the quants at (i mod 32) / 4 = l with q = u − 4 (u = the two low bits and the
/// high bit, 0..7, so vpmaddubsw takes it, and the −4 comes back per lane as 4·Σa), acc_l = fma(d_w·d_a, lane_l,
/// acc_l), and the lanes added as hsum_float_8. Row pairs share a 512-bit vector (32 quants of each row).
/// </summary>
internal static unsafe class Q3_KGroupedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int Pairs = Rows / 2;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;

    /// <summary>Quant bytes of one super-block of a row group: per row pair, the high bits, then the low bits of each half.</summary>
    private const int QuantBytes = Pairs * PairBytes;
    private const int PairBytes = 3 * 64;

    /// <summary>Scale bytes of one super-block of a row group: 16 int8 scales of each row (unpacked at load), then 16 fp16 d.</summary>
    private const int ScaleBytes = Rows * 16 + Rows * 2;
    private const int PrefetchDistance = QuantBytes;

    /// <summary>Bytes of a row group of <paramref name="blocks"/> super-blocks: 4 bytes a row and super-block more than stored.</summary>
    public static long GroupBytes(int blocks) => (long)blocks * (QuantBytes + ScaleBytes);

    /// <summary>
    /// Writes row group <paramref name="group"/> of <paramref name="source"/> (missing rows zero): every super-block's
    /// quants, then every super-block's scales, with the 6-bit scales unpacked to int8 (so the kernels handle them as
    /// Q6_K's):
    /// <code>
    /// quants of super-block b, at b·1536: row pair p at 192 p:
    ///     +0     hmask[0 .. 31] of row 2p, then of row 2p + 1  (bit 4h + s: the high bit of quarter s of half h)
    ///     +64 h  qs[32 h .. 32 h + 31] of both rows            (bits 2s, 2s + 1: the low bits of quarter s)
    /// scales of super-block b, at blocks·1536 + 288 b: 16 int8 scales (−32..31) of each row, then d of the 16 rows
    /// </code>
    /// </summary>
    public static void Pack(WeightMatrix source, int group, byte* destination)
    {
        var blocks = source.Cols / SuperBlock;
        for (var i = 0; i < Rows; i++)
        {
            var row = group * Rows + i;
            if (row >= source.Rows)
                continue;
            var (pair, second) = (i / 2, i % 2);
            for (var b = 0; b < blocks; b++)
            {
                var block = source.Row(row) + b * Q3_KBlock.Bytes;
                var target = destination + (long)b * QuantBytes + PairBytes * pair + 32 * second;
                Buffer.MemoryCopy(block, target, 32, 32);
                Buffer.MemoryCopy(block + 32, target + 64, 32, 32);
                Buffer.MemoryCopy(block + 64, target + 128, 32, 32);
                var scales = new KQuantGroup(destination, blocks, 0, 0, QuantBytes, ScaleBytes).Scales(b);
                var packed = new ReadOnlySpan<byte>(block + 96, 12);
                for (var g = 0; g < 16; g++)
                    ((sbyte*)scales)[16 * i + g] = (sbyte)Q3_KBlock.GroupScale(packed, g);
                ((ushort*)(scales + 16 * Rows))[i] = *(ushort*)(block + 108);
            }
        }
    }

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
    {
        var blocks = w.Cols / SuperBlock;
        for (var g = groupStart; g < groupEnd; g++)
        {
            var group = new KQuantGroup(w.Data + g * w.GroupStride, blocks, g * Rows, Math.Min(Rows, w.Rows - g * Rows), QuantBytes, ScaleBytes);
            var t = 0;
            switch (level)
            {
                case SimdLevel.Avx512:
                    for (; t + 8 <= a.Batch; t += 8)
                    {
                        for (var pair = 0; 2 * pair < group.Count; pair++)
                            Tile512(group, pair, a, t, output);
                    }
                    for (; t < a.Batch; t++)
                        Group512(group, a, t, output);
                    break;
                default:
                    for (var row = 0; row < group.Count; row++)
                    {
                        for (t = 0; t < a.Batch; t++)
                            output.Write(t, group.Row + row, level == SimdLevel.Avx2 ? Row256(group, row, a, t) : RowScalar(group, row, a, t));
                    }
                    break;
            }
        }
    }

    /// <summary>All 16 rows (eight pairs) of the group for one token: the decode GEMV.</summary>
    private static void Group512(in KQuantGroup group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var x = new Q8_KToken(a, t);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Quants(b);
            var scales = group.Scales(b);
            var x8 = new SuperBlockActivations(x.Quants + b * SuperBlock);
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + 16 * Rows))) * x.Scales[b];
            CacheLines.Prefetch(scales + ScaleBytes, ScaleBytes);
            acc0 = Pair512(acc0, quants, scales, 0, x8, d);
            acc1 = Pair512(acc1, quants, scales, 1, x8, d);
            acc2 = Pair512(acc2, quants, scales, 2, x8, d);
            acc3 = Pair512(acc3, quants, scales, 3, x8, d);
            acc4 = Pair512(acc4, quants, scales, 4, x8, d);
            acc5 = Pair512(acc5, quants, scales, 5, x8, d);
            acc6 = Pair512(acc6, quants, scales, 6, x8, d);
            acc7 = Pair512(acc7, quants, scales, 7, x8, d);
        }
        RowPairs.Write(output, t, group.Row, Math.Min(8, group.Count), acc0, acc1, acc2, acc3);
        if (group.Count > 8)
            RowPairs.Write(output, t, group.Row + 8, group.Count - 8, acc4, acc5, acc6, acc7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair512(Vector512<float> acc, byte* quants, byte* scales, int pair, in SuperBlockActivations x, Vector512<float> d)
    {
        var data = quants + PairBytes * pair;
        CacheLines.Prefetch(data + PrefetchDistance, PairBytes);
        var groupScales = Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)scales + 32 * pair));
        var high = Vector512.Load(data);
        var low0 = Vector512.Load(data + 64);
        var low1 = Vector512.Load(data + 128);
        var ints = (Quarter(Unsigned512(low0, high, 0, 0), x.G0, groupScales, 0) + Quarter(Unsigned512(low0, high, 0, 1), x.G1, groupScales, 1))
            + (Quarter(Unsigned512(low0, high, 0, 2), x.G2, groupScales, 2) + Quarter(Unsigned512(low0, high, 0, 3), x.G3, groupScales, 3))
            + ((Quarter(Unsigned512(low1, high, 1, 0), x.G4, groupScales, 4) + Quarter(Unsigned512(low1, high, 1, 1), x.G5, groupScales, 5))
            + (Quarter(Unsigned512(low1, high, 1, 2), x.G6, groupScales, 6) + Quarter(Unsigned512(low1, high, 1, 3), x.G7, groupScales, 7)));
        return Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d, RowPairs.Spread(pair)), Avx512F.ConvertToVector512Single(ints), acc);

        static Vector512<int> Quarter(Vector512<byte> u, Vector512<sbyte> a, Vector512<short> groupScales, int m) => Dot512(u, a, ScalesOf512(groupScales, m));
    }

    /// <summary>One row pair of the group for eight tokens (the prefill and batched-decode GEMM).</summary>
    private static void Tile512(in KQuantGroup group, int pair, QuantizedActivations a, int t, MatMulOutput output)
    {
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        var stride = (long)a.QuantStride;
        for (var b = 0; b < group.Blocks; b++)
        {
            var scales = group.Scales(b);
            var groupScales = Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)scales + 32 * pair));
            var data = group.Quants(b) + PairBytes * pair;
            var high = Vector512.Load(data);
            var ints = default(OffsetTokenSums);
            for (var h = 0; h < 2; h++)
            {
                // Straight-line quarters: a loop or switch here splits the body and spills the accumulators.
                var low = Vector512.Load(data + 64 + 64 * h);
                var x = a.Quants(t) + b * SuperBlock + 128 * h;
                ints = ints.Add(Unsigned512(low, high, h, 0), ScalesOf512(groupScales, 4 * h), x, stride);
                ints = ints.Add(Unsigned512(low, high, h, 1), ScalesOf512(groupScales, 4 * h + 1), x + 32, stride);
                ints = ints.Add(Unsigned512(low, high, h, 2), ScalesOf512(groupScales, 4 * h + 2), x + 64, stride);
                ints = ints.Add(Unsigned512(low, high, h, 3), ScalesOf512(groupScales, 4 * h + 3), x + 96, stride);
            }
            var d = Avx512F.PermuteVar16x32(HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + 16 * Rows))), RowPairs.Spread(pair));
            acc0 = Fold(acc0, ints.V0, d, a.SuperBlockScales(t)[b]);
            acc1 = Fold(acc1, ints.V1, d, a.SuperBlockScales(t + 1)[b]);
            acc2 = Fold(acc2, ints.V2, d, a.SuperBlockScales(t + 2)[b]);
            acc3 = Fold(acc3, ints.V3, d, a.SuperBlockScales(t + 3)[b]);
            acc4 = Fold(acc4, ints.V4, d, a.SuperBlockScales(t + 4)[b]);
            acc5 = Fold(acc5, ints.V5, d, a.SuperBlockScales(t + 5)[b]);
            acc6 = Fold(acc6, ints.V6, d, a.SuperBlockScales(t + 6)[b]);
            acc7 = Fold(acc7, ints.V7, d, a.SuperBlockScales(t + 7)[b]);
        }
        var row = group.Row + 2 * pair;
        var count = Math.Min(2, group.Count - 2 * pair);
        Span<Vector512<float>> sums = [acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7];
        for (var k = 0; k < 8; k++)
        {
            output.Write(t + k, row, RowPairs.HorizontalSum(sums[k].GetLower()));
            if (count > 1)
                output.Write(t + k, row + 1, RowPairs.HorizontalSum(sums[k].GetUpper()));
        }

        static Vector512<float> Fold(Vector512<float> acc, Vector512<int> ints, Vector512<float> d, float da) =>
            Vector512.FusedMultiplyAdd(d * da, Avx512F.ConvertToVector512Single(ints), acc);
    }

    /// <summary>
    /// u = q + 4 (0..7) of quarter s of half h for both rows: the two low bits at 2s of the half's low-bit vector and
    /// bit 4h + s of the high-bit vector at bit 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Unsigned512(Vector512<byte> low, Vector512<byte> high, int h, int s) =>
        ((low.AsUInt16() >> (2 * s)).AsByte() & Vector512.Create((byte)3))
        | (((high.AsUInt16() >> (4 * h + s)) << 2).AsByte() & Vector512.Create((byte)4));

    /// <summary>scale·Σ(u − 4)·a in eight int32 lanes per row: the −4 taken per pair of products as 4·(a_i + a_j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot512(Vector512<byte> u, Vector512<sbyte> a, Vector512<short> scale) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(u, a) - Avx512BW.MultiplyAddAdjacent(Vector512.Create((byte)4), a), scale);

    /// <summary>The int16 scales of 32-quant group m for both rows of a pair: quants 0-15 of a row take scale 2m, 16-31 scale 2m + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> ScalesOf512(Vector512<short> groupScales, int m) =>
        Avx512BW.PermuteVar32x16(groupScales, Vector512.Create(
            (short)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17)
            + Vector512.Create((short)(2 * m)));

    /// <summary>Eight tokens' integer lanes of one row pair (<see cref="EightTokenSums"/> with Q3_K's offset).</summary>
    private struct OffsetTokenSums
    {
        public Vector512<int> V0, V1, V2, V3, V4, V5, V6, V7;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly OffsetTokenSums Add(Vector512<byte> u, Vector512<short> scale, sbyte* x, long stride) => new()
        {
            V0 = V0 + Dot512(u, RowPairs.Activations(x), scale),
            V1 = V1 + Dot512(u, RowPairs.Activations(x + stride), scale),
            V2 = V2 + Dot512(u, RowPairs.Activations(x + 2 * stride), scale),
            V3 = V3 + Dot512(u, RowPairs.Activations(x + 3 * stride), scale),
            V4 = V4 + Dot512(u, RowPairs.Activations(x + 4 * stride), scale),
            V5 = V5 + Dot512(u, RowPairs.Activations(x + 5 * stride), scale),
            V6 = V6 + Dot512(u, RowPairs.Activations(x + 6 * stride), scale),
            V7 = V7 + Dot512(u, RowPairs.Activations(x + 7 * stride), scale),
        };
    }

    /// <summary>One row in ggml's AVX2 shape: a 256-bit vector is 32 quants of the row, eight int32 lanes.</summary>
    private static float Row256(in KQuantGroup group, int row, QuantizedActivations a, int t)
    {
        var x = new Q8_KToken(a, t);
        var (pair, second) = (row / 2, row % 2);
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < group.Blocks; b++)
        {
            var scales = group.Scales(b);
            var rowScales = (sbyte*)scales + 16 * row;
            var data = group.Quants(b) + PairBytes * pair + 32 * second;
            var high = Vector256.Load(data);
            var ints = Vector256<int>.Zero;
            for (var m = 0; m < 8; m++)
            {
                var (h, s) = (m / 4, m % 4);
                var low = Vector256.Load(data + 64 + 64 * h);
                var u = ((low.AsUInt16() >> (2 * s)).AsByte() & Vector256.Create((byte)3))
                    | (((high.AsUInt16() >> (4 * h + s)) << 2).AsByte() & Vector256.Create((byte)4));
                var q8 = Vector256.Load(x.Quants + b * SuperBlock + 32 * m);
                var pairs = Avx2.MultiplyAddAdjacent(u, q8) - Avx2.MultiplyAddAdjacent(Vector256.Create((byte)4), q8);
                var scale = Vector256.Create(Vector128.Create((short)rowScales[2 * m]), Vector128.Create((short)rowScales[2 * m + 1]));
                ints += Avx2.MultiplyAddAdjacent(pairs, scale);
            }
            var d = HalfConversion.ToSingle(((ushort*)(scales + 16 * Rows))[row]) * x.Scales[b];
            acc = Vector256.FusedMultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(ints), acc);
        }
        return RowPairs.HorizontalSum(acc);
    }

    private static float RowScalar(in KQuantGroup group, int row, QuantizedActivations a, int t)
    {
        var x = new Q8_KToken(a, t);
        var (pair, second) = (row / 2, row % 2);
        Span<float> acc = stackalloc float[8];
        Span<int> lanes = stackalloc int[8];
        acc.Clear();
        for (var b = 0; b < group.Blocks; b++)
        {
            var rowScales = (sbyte*)group.Scales(b) + 16 * row;
            var data = group.Quants(b) + PairBytes * pair + 32 * second;
            lanes.Clear();
            for (var i = 0; i < SuperBlock; i++)
            {
                var (h, s, l) = (i / 128, i % 128 / 32, i % 32);
                var u = ((data[64 + 64 * h + l] >> (2 * s)) & 3) | ((data[l] >> (4 * h + s)) & 1) << 2;
                lanes[l / 4] += rowScales[i / 16] * ((u - 4) * x.Quants[b * SuperBlock + i]);
            }
            var d = HalfConversion.ToSingle(((ushort*)(group.Scales(b) + 16 * Rows))[row]) * x.Scales[b];
            for (var l = 0; l < 8; l++)
                acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
        }
        return RowPairs.HorizontalSum(acc);
    }
}
