using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q6_K weights in <see cref="MatrixLayout.Q6_KGrouped"/> groups of 16 rows and Q8_K activations, in the
/// order of ggml's AVX2 vec_dot_q6_K_q8_K (llama.cpp's x86 path for Q6_K at every batch size): per super-block eight
/// integer lanes per output, lane l taking scale·q·a over the quants at (i mod 32) / 4 = l minus
/// 32·(scale·Σa) over the 16-quant groups 2l and 2l + 1, then acc_l = fma(d_w·d_a, lane_l, acc_l), and the lanes added
/// as hsum_float_8 does. AVX-512 holds a row pair in one vector (32 quants of each row); AVX2 one row.
/// </summary>
internal static unsafe class Q6_KGroupedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int Pairs = Rows / 2;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;

    /// <summary>Quant bytes of one super-block of a row group: per row pair and half, low bits of quarters 0/2, of 1/3, and the high bits.</summary>
    private const int QuantBytes = 2 * Pairs * PairHalfBytes;
    private const int PairHalfBytes = 192;

    /// <summary>Scale bytes of one super-block of a row group: 16 int8 scales of each row, then 16 fp16 d.</summary>
    private const int ScaleBytes = Rows * 16 + Rows * 2;
    private const int PrefetchDistance = QuantBytes;

    /// <summary>Bytes of a row group of <paramref name="blocks"/> super-blocks: the stored size.</summary>
    public static long GroupBytes(int blocks) => (long)blocks * (QuantBytes + ScaleBytes);

    /// <summary>
    /// Writes row group <paramref name="group"/> of <paramref name="source"/> (missing rows zero): first every super-block's
    /// quants (<see cref="QuantBytes"/> each, so they stay cache-line aligned), then every super-block's scales:
    /// <code>
    /// quants of super-block b, at b·3072: row pair p, half h at 192 (2 p + h):
    ///     +0   ql[64 h .. 64 h + 31] of row 2p, then of row 2p + 1      (low nibbles: quarter 0, high: quarter 2)
    ///     +64  ql[64 h + 32 .. 64 h + 63] of both rows                  (quarters 1 and 3)
    ///     +128 qh[32 h .. 32 h + 31] of both rows                       (bits 2q, 2q + 1: quarter q)
    /// scales of super-block b, at blocks·3072 + 288 b:
    ///     +0   the 16 int8 scales of row 0, 1, … 15 (a row pair's 32 bytes together)
    ///     +256 d of the 16 rows (fp16)
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
                var block = source.Row(row) + b * Q6_KBlock.Bytes;
                var quants = destination + (long)b * QuantBytes;
                for (var h = 0; h < 2; h++)
                {
                    var target = quants + PairHalfBytes * (2 * pair + h) + 32 * second;
                    Buffer.MemoryCopy(block + 64 * h, target, 32, 32);
                    Buffer.MemoryCopy(block + 64 * h + 32, target + 64, 32, 32);
                    Buffer.MemoryCopy(block + 128 + 32 * h, target + 128, 32, 32);
                }
                var scales = new KQuantGroup(destination, blocks, 0, 0, QuantBytes, ScaleBytes).Scales(b);
                Buffer.MemoryCopy(block + 192, scales + 16 * i, 16, 16);
                ((ushort*)(scales + 16 * Rows))[i] = *(ushort*)(block + 208);
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
                case SimdLevel.Avx2:
                    for (var row = 0; row < group.Count; row++)
                    {
                        for (t = 0; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                            Row256<FourTokens>(group, row, a, t, output);
                        for (; t < a.Batch; t++)
                            Row256<OneToken>(group, row, a, t, output);
                    }
                    break;
                default:
                    for (var row = 0; row < group.Count; row++)
                    {
                        for (t = 0; t < a.Batch; t++)
                            output.Write(t, group.Row + row, RowScalar(group, row, a, t));
                    }
                    break;
            }
        }
    }

    /// <summary>All 16 rows (eight pairs) of the group for one token: the decode GEMV, reading the group front to back.</summary>
    private static void Group512(in KQuantGroup group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var x = new Q8_KToken(a, t);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Quants(b);
            var scales = group.Scales(b);
            var activations = x.Quants + b * SuperBlock;
            var x8 = new SuperBlockActivations(activations);
            var groupSums = Broadcast256.Load(x.GroupSums + 16 * b);
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + 16 * Rows))) * x.Scales[b];
            CacheLines.Prefetch(scales + ScaleBytes, ScaleBytes);
            acc0 = Pair512(acc0, quants, scales, 0, x8, groupSums, d);
            acc1 = Pair512(acc1, quants, scales, 1, x8, groupSums, d);
            acc2 = Pair512(acc2, quants, scales, 2, x8, groupSums, d);
            acc3 = Pair512(acc3, quants, scales, 3, x8, groupSums, d);
            acc4 = Pair512(acc4, quants, scales, 4, x8, groupSums, d);
            acc5 = Pair512(acc5, quants, scales, 5, x8, groupSums, d);
            acc6 = Pair512(acc6, quants, scales, 6, x8, groupSums, d);
            acc7 = Pair512(acc7, quants, scales, 7, x8, groupSums, d);
        }
        RowPairs.Write(output, t, group.Row, Math.Min(8, group.Count), acc0, acc1, acc2, acc3);
        if (group.Count > 8)
            RowPairs.Write(output, t, group.Row + 8, group.Count - 8, acc4, acc5, acc6, acc7);
    }

    /// <summary>One row pair's super-block for one token's super-block x; d is d_w·d_a of all 16 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair512(Vector512<float> acc, byte* quants, byte* scales, int pair,
        in SuperBlockActivations x, Vector512<short> groupSums, Vector512<float> d)
    {
        var data = quants + 2 * PairHalfBytes * pair;
        CacheLines.Prefetch(data + PrefetchDistance, 2 * PairHalfBytes);
        var groupScales = Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)scales + 32 * pair));
        var ints = Half512(data, groupScales, 0, x.G0, x.G1, x.G2, x.G3) + Half512(data + PairHalfBytes, groupScales, 4, x.G4, x.G5, x.G6, x.G7);
        var lanes = ints - (Avx512BW.MultiplyAddAdjacent(groupScales, groupSums) << 5);
        return Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d, RowPairs.Spread(pair)), Avx512F.ConvertToVector512Single(lanes), acc);
    }

    /// <summary>Σ over the four quarters of one half of scale·(q·a) in eight int32 lanes per row; m is the half's first group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Half512(byte* data, Vector512<short> groupScales, int m,
        Vector512<sbyte> a0, Vector512<sbyte> a1, Vector512<sbyte> a2, Vector512<sbyte> a3)
    {
        var low02 = Vector512.Load(data);
        var low13 = Vector512.Load(data + 64);
        var high = Vector512.Load(data + 128);
        return (Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Quarter512(low02, high, 0), a0), ScalesOf512(groupScales, m))
            + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Quarter512(low13, high, 1), a1), ScalesOf512(groupScales, m + 1)))
            + (Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Quarter512(low02, high, 2), a2), ScalesOf512(groupScales, m + 2))
            + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Quarter512(low13, high, 3), a3), ScalesOf512(groupScales, m + 3)));
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
            var ints = default(EightTokenSums);
            for (var h = 0; h < 2; h++)
            {
                var data = group.Quants(b) + PairHalfBytes * (2 * pair + h);
                var low02 = Vector512.Load(data);
                var low13 = Vector512.Load(data + 64);
                var high = Vector512.Load(data + 128);
                var x = a.Quants(t) + b * SuperBlock + 128 * h;
                ints = ints.Add(Quarter512(low02, high, 0), ScalesOf512(groupScales, 4 * h), x, stride);
                ints = ints.Add(Quarter512(low13, high, 1), ScalesOf512(groupScales, 4 * h + 1), x + 32, stride);
                ints = ints.Add(Quarter512(low02, high, 2), ScalesOf512(groupScales, 4 * h + 2), x + 64, stride);
                ints = ints.Add(Quarter512(low13, high, 3), ScalesOf512(groupScales, 4 * h + 3), x + 96, stride);
            }
            var d = Avx512F.PermuteVar16x32(HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + 16 * Rows))), RowPairs.Spread(pair));
            acc0 = Fold512(acc0, ints.V0, groupScales, new Q8_KToken(a, t), b, d);
            acc1 = Fold512(acc1, ints.V1, groupScales, new Q8_KToken(a, t + 1), b, d);
            acc2 = Fold512(acc2, ints.V2, groupScales, new Q8_KToken(a, t + 2), b, d);
            acc3 = Fold512(acc3, ints.V3, groupScales, new Q8_KToken(a, t + 3), b, d);
            acc4 = Fold512(acc4, ints.V4, groupScales, new Q8_KToken(a, t + 4), b, d);
            acc5 = Fold512(acc5, ints.V5, groupScales, new Q8_KToken(a, t + 5), b, d);
            acc6 = Fold512(acc6, ints.V6, groupScales, new Q8_KToken(a, t + 6), b, d);
            acc7 = Fold512(acc7, ints.V7, groupScales, new Q8_KToken(a, t + 7), b, d);
        }
        var row = group.Row + 2 * pair;
        var count = Math.Min(2, group.Count - 2 * pair);
        WritePair(output, t, row, count, acc0);
        WritePair(output, t + 1, row, count, acc1);
        WritePair(output, t + 2, row, count, acc2);
        WritePair(output, t + 3, row, count, acc3);
        WritePair(output, t + 4, row, count, acc4);
        WritePair(output, t + 5, row, count, acc5);
        WritePair(output, t + 6, row, count, acc6);
        WritePair(output, t + 7, row, count, acc7);
    }

    private static void WritePair(MatMulOutput output, int t, int row, int count, Vector512<float> pair)
    {
        output.Write(t, row, RowPairs.HorizontalSum(pair.GetLower()));
        if (count > 1)
            output.Write(t, row + 1, RowPairs.HorizontalSum(pair.GetUpper()));
    }

    /// <summary>acc += d·d_a · (lanes − 32·(scale·Σa per lane)) for one token and row pair at the end of a super-block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold512(Vector512<float> acc, Vector512<int> ints, Vector512<short> groupScales, in Q8_KToken x, int b, Vector512<float> d)
    {
        var groupSums = Broadcast256.Load(x.GroupSums + 16 * b);
        var lanes = ints - (Avx512BW.MultiplyAddAdjacent(groupScales, groupSums) << 5);
        return Vector512.FusedMultiplyAdd(d * x.Scales[b], Avx512F.ConvertToVector512Single(lanes), acc);
    }

    /// <summary>Quarter q (32 quants of each row of the pair, 0..63) of a half from its low-bit and high-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Quarter512(Vector512<byte> low, Vector512<byte> high, int quarter)
    {
        var nibble = Vector512.Create((byte)0x0F);
        var lowBits = quarter < 2 ? low & nibble : (low.AsUInt16() >> 4).AsByte() & nibble;
        // The two high bits of quarter q are bits 2q, 2q + 1; move them to bits 4, 5.
        var highBits = quarter switch
        {
            0 => (high.AsUInt16() << 4).AsByte(),
            1 => (high.AsUInt16() << 2).AsByte(),
            2 => high,
            _ => (high.AsUInt16() >> 2).AsByte(),
        } & Vector512.Create((byte)0x30);
        return lowBits | highBits;
    }

    /// <summary>The int16 scales of 32-quant group m for both rows of a pair: quants 0-15 of a row take scale 2m, 16-31 scale 2m + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> ScalesOf512(Vector512<short> groupScales, int m) =>
        Avx512BW.PermuteVar32x16(groupScales, Vector512.Create(
            (short)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17)
            + Vector512.Create((short)(2 * m)));

    /// <summary>One row for one or four tokens in ggml's AVX2 shape: a 256-bit vector is 32 quants of the row, eight int32 lanes.</summary>
    private static void Row256<TTile>(in KQuantGroup group, int row, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + Math.Min(1, n - 1));
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        var (pair, second) = (row / 2, row % 2);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (var b = 0; b < group.Blocks; b++)
        {
            var scales = group.Scales(b);
            var groupScales = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)scales + 16 * row));
            var ints = default(FourTokenSums256);
            for (var h = 0; h < 2; h++)
            {
                var data = group.Quants(b) + PairHalfBytes * (2 * pair + h) + 32 * second;
                var low02 = Vector256.Load(data);
                var low13 = Vector256.Load(data + 64);
                var high = Vector256.Load(data + 128);
                var o = b * SuperBlock + 128 * h;
                ints = ints.Add<TTile>(Quarter256(low02, high, 0), ScalesOf256(groupScales, 4 * h), x0.Quants + o, x1.Quants + o, x2.Quants + o, x3.Quants + o);
                ints = ints.Add<TTile>(Quarter256(low13, high, 1), ScalesOf256(groupScales, 4 * h + 1), x0.Quants + o + 32, x1.Quants + o + 32, x2.Quants + o + 32, x3.Quants + o + 32);
                ints = ints.Add<TTile>(Quarter256(low02, high, 2), ScalesOf256(groupScales, 4 * h + 2), x0.Quants + o + 64, x1.Quants + o + 64, x2.Quants + o + 64, x3.Quants + o + 64);
                ints = ints.Add<TTile>(Quarter256(low13, high, 3), ScalesOf256(groupScales, 4 * h + 3), x0.Quants + o + 96, x1.Quants + o + 96, x2.Quants + o + 96, x3.Quants + o + 96);
            }
            var d = HalfConversion.ToSingle(((ushort*)(scales + 16 * Rows))[row]);
            acc0 = Fold256(acc0, ints.V0, groupScales, x0, b, d);
            if (TTile.Count > 1)
            {
                acc1 = Fold256(acc1, ints.V1, groupScales, x1, b, d);
                acc2 = Fold256(acc2, ints.V2, groupScales, x2, b, d);
                acc3 = Fold256(acc3, ints.V3, groupScales, x3, b, d);
            }
        }
        output.Write(t, group.Row + row, RowPairs.HorizontalSum(acc0));
        if (TTile.Count > 1)
        {
            output.Write(t + 1, group.Row + row, RowPairs.HorizontalSum(acc1));
            output.Write(t + 2, group.Row + row, RowPairs.HorizontalSum(acc2));
            output.Write(t + 3, group.Row + row, RowPairs.HorizontalSum(acc3));
        }
    }

    /// <summary>acc += d_w·d_a · (lanes − 32·(scale·Σa per lane)) for one token at the end of a super-block (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fold256(Vector256<float> acc, Vector256<int> ints, Vector256<short> groupScales, in Q8_KToken x, int b, float dw)
    {
        var lanes = ints - (Avx2.MultiplyAddAdjacent(Vector256.Load(x.GroupSums + 16 * b), groupScales) << 5);
        return Vector256.FusedMultiplyAdd(Vector256.Create(dw * x.Scales[b]), Avx.ConvertToVector256Single(lanes), acc);
    }

    /// <summary>Quarter q of one row's half (256-bit) from its low-bit and high-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Quarter256(Vector256<byte> low, Vector256<byte> high, int quarter)
    {
        var nibble = Vector256.Create((byte)0x0F);
        var lowBits = quarter < 2 ? low & nibble : (low.AsUInt16() >> 4).AsByte() & nibble;
        var highBits = quarter switch
        {
            0 => (high.AsUInt16() << 4).AsByte(),
            1 => (high.AsUInt16() << 2).AsByte(),
            2 => high,
            _ => (high.AsUInt16() >> 2).AsByte(),
        } & Vector256.Create((byte)0x30);
        return lowBits | highBits;
    }

    /// <summary>Scales 2m (low eight int16 lanes) and 2m + 1 (high eight) from a row's 16 int16 scales.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> ScalesOf256(Vector256<short> groupScales, int m)
    {
        var both = Avx2.PermuteVar8x32(groupScales.AsInt32(), Vector256.Create(m)).AsByte();
        return Avx2.Shuffle(both, Vector256.Create((byte)0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
            2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3)).AsInt16();
    }

    private static float RowScalar(in KQuantGroup group, int row, QuantizedActivations a, int t)
    {
        var x = new Q8_KToken(a, t);
        var (pair, second) = (row / 2, row % 2);
        var acc = stackalloc float[8];
        new Span<float>(acc, 8).Clear();
        var lanes = stackalloc int[8];
        for (var b = 0; b < group.Blocks; b++)
        {
            var scales = (sbyte*)group.Scales(b) + 16 * row;
            new Span<int>(lanes, 8).Clear();
            for (var i = 0; i < SuperBlock; i++)
            {
                var (h, quarter, l) = (i / 128, i % 128 / 32, i % 32);
                var data = group.Quants(b) + PairHalfBytes * (2 * pair + h) + 32 * second;
                var low4 = (data[64 * (quarter % 2) + l] >> (4 * (quarter / 2))) & 0x0F;
                var high2 = (data[128 + l] >> (2 * quarter)) & 3;
                lanes[l / 4] += scales[i / 16] * ((low4 | high2 << 4) * x.Quants[b * SuperBlock + i]);
            }
            var d = HalfConversion.ToSingle(((ushort*)(group.Scales(b) + 16 * Rows))[row]) * x.Scales[b];
            for (var l = 0; l < 8; l++)
            {
                var correction = scales[2 * l] * x.GroupSums[16 * b + 2 * l] + scales[2 * l + 1] * x.GroupSums[16 * b + 2 * l + 1];
                acc[l] = MathF.FusedMultiplyAdd(d, lanes[l] - 32 * correction, acc[l]);
            }
        }
        return ((acc[4] + acc[0]) + (acc[6] + acc[2])) + ((acc[5] + acc[1]) + (acc[7] + acc[3]));
    }
}
