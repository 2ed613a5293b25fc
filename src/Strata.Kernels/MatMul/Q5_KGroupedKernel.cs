using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q5_K weights in <see cref="MatrixLayout.Q5_KGrouped"/> groups of 16 rows and Q8_K activations, in the
/// order of ggml's AVX2 vec_dot_q5_K_q8_K (llama.cpp's x86 path for Q5_K at every batch size): per super-block eight
/// integer lanes per output (lane l taking scale·q·a over the quants at (i mod 32) / 4 = l), acc_l = fma(d_w·d_a,
/// lane_l, acc_l), and beside them one float per output, mins = fma(−d_a·dmin_w, Σ_g min_g·Σa, mins); the result is
/// hsum_float_8(acc) + mins. AVX-512 holds a row pair in one vector (32 quants of each row); AVX2 one row.
/// </summary>
internal static unsafe class Q5_KGroupedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int Pairs = Rows / 2;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;

    /// <summary>Quant bytes of one super-block of a row group: per row pair, four 64-byte vectors of low bits and one of high bits.</summary>
    private const int QuantBytes = Pairs * PairBytes;
    private const int PairBytes = 5 * 64;

    /// <summary>Scale bytes of one super-block of a row group: the packed scale words of 16 rows, then d and dmin.</summary>
    private const int ScaleBytes = 192 + 2 * Rows * 2;
    private const int ScalesOffset = 192;
    private const int MinScalesOffset = 224;
    private const int PrefetchDistance = QuantBytes;

    /// <summary>Floats of scratch a worker lends <see cref="Run"/>: one token tile's min sums.</summary>
    public const int ScratchFloats = TileTokens * Rows;
    private const int TileTokens = 8;

    /// <summary>Bytes of a row group of <paramref name="blocks"/> super-blocks: the stored size.</summary>
    public static long GroupBytes(int blocks) => (long)blocks * (QuantBytes + ScaleBytes);

    /// <summary>
    /// Writes row group <paramref name="group"/> of <paramref name="source"/> (missing rows zero): first every super-block's
    /// quants, then every super-block's scales:
    /// <code>
    /// quants of super-block b, at b·2560: row pair p at 320 p:
    ///     +64 j  qs[32 j .. 32 j + 31] of row 2p, then of row 2p + 1 (j = 0..3; low nibbles: group 2j, high: 2j + 1)
    ///     +256   qh[0 .. 31] of both rows (bit g: bit 4 of group g's quant)
    /// scales of super-block b, at blocks·2560 + 256 b:
    ///     +0     the 12 packed scale/min bytes of every row as three 64-byte words: word w, row r at 64 w + 4 r
    ///     +192   d of the 16 rows (fp16), +224 dmin of the 16 rows (fp16)
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
                var block = source.Row(row) + b * Q5_KBlock.Bytes;
                var target = destination + (long)b * QuantBytes + PairBytes * pair + 32 * second;
                for (var j = 0; j < 4; j++)
                    Buffer.MemoryCopy(block + 48 + 32 * j, target + 64 * j, 32, 32);
                Buffer.MemoryCopy(block + 16, target + 256, 32, 32);
                var scales = new KQuantGroup(destination, blocks, 0, 0, QuantBytes, ScaleBytes).Scales(b);
                for (var w = 0; w < 3; w++)
                    *(uint*)(scales + 64 * w + 4 * i) = *(uint*)(block + 4 + 4 * w);
                ((ushort*)(scales + ScalesOffset))[i] = *(ushort*)block;
                ((ushort*)(scales + MinScalesOffset))[i] = *(ushort*)(block + 2);
            }
        }
    }

    /// <param name="scratch">float[<see cref="ScratchFloats"/>] owned by the calling worker.</param>
    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, float* scratch, SimdLevel level)
    {
        var blocks = w.Cols / SuperBlock;
        for (var g = groupStart; g < groupEnd; g++)
        {
            var group = new KQuantGroup(w.Data + g * w.GroupStride, blocks, g * Rows, Math.Min(Rows, w.Rows - g * Rows), QuantBytes, ScaleBytes);
            var t = 0;
            switch (level)
            {
                case SimdLevel.Avx512:
                    for (; t + TileTokens <= a.Batch; t += TileTokens)
                    {
                        for (var k = 0; k < TileTokens; k++)
                            MinSums512(group, a, t + k).Store(scratch + Rows * k);
                        for (var pair = 0; 2 * pair < group.Count; pair++)
                            Tile512(group, pair, a, t, scratch, output);
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
        var mins = Vector512<float>.Zero;
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Quants(b);
            var scales = group.Scales(b);
            CacheLines.Prefetch(scales + ScaleBytes, ScaleBytes);
            mins = Mins512(mins, scales, x, b);
            var (scalesLow, scalesHigh) = Scales512(scales);
            var activations = x.Quants + b * SuperBlock;
            var x8 = new SuperBlockActivations(activations);
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + ScalesOffset))) * x.Scales[b];
            acc0 = Pair512(acc0, quants, 0, scalesLow, scalesHigh, x8, d);
            acc1 = Pair512(acc1, quants, 1, scalesLow, scalesHigh, x8, d);
            acc2 = Pair512(acc2, quants, 2, scalesLow, scalesHigh, x8, d);
            acc3 = Pair512(acc3, quants, 3, scalesLow, scalesHigh, x8, d);
            acc4 = Pair512(acc4, quants, 4, scalesLow, scalesHigh, x8, d);
            acc5 = Pair512(acc5, quants, 5, scalesLow, scalesHigh, x8, d);
            acc6 = Pair512(acc6, quants, 6, scalesLow, scalesHigh, x8, d);
            acc7 = Pair512(acc7, quants, 7, scalesLow, scalesHigh, x8, d);
        }
        Span<float> sums =
        [
            RowPairs.HorizontalSum(acc0.GetLower()), RowPairs.HorizontalSum(acc0.GetUpper()), RowPairs.HorizontalSum(acc1.GetLower()), RowPairs.HorizontalSum(acc1.GetUpper()),
            RowPairs.HorizontalSum(acc2.GetLower()), RowPairs.HorizontalSum(acc2.GetUpper()), RowPairs.HorizontalSum(acc3.GetLower()), RowPairs.HorizontalSum(acc3.GetUpper()),
            RowPairs.HorizontalSum(acc4.GetLower()), RowPairs.HorizontalSum(acc4.GetUpper()), RowPairs.HorizontalSum(acc5.GetLower()), RowPairs.HorizontalSum(acc5.GetUpper()),
            RowPairs.HorizontalSum(acc6.GetLower()), RowPairs.HorizontalSum(acc6.GetUpper()), RowPairs.HorizontalSum(acc7.GetLower()), RowPairs.HorizontalSum(acc7.GetUpper()),
        ];
        for (var i = 0; i < group.Count; i++)
            output.Write(t, group.Row + i, sums[i] + mins.GetElement(i));
    }

    /// <summary>One row pair's super-block for one token's super-block x; d is d_w·d_a of all 16 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pair512(Vector512<float> acc, byte* quants, int pair, Vector512<byte> scalesLow, Vector512<byte> scalesHigh,
        in SuperBlockActivations x, Vector512<float> d)
    {
        var data = quants + PairBytes * pair;
        CacheLines.Prefetch(data + PrefetchDistance, PairBytes);
        var high = Vector512.Load(data + 256);
        var low01 = Vector512.Load(data);
        var low23 = Vector512.Load(data + 64);
        var low45 = Vector512.Load(data + 128);
        var low67 = Vector512.Load(data + 192);
        var ints = (Group(Quant512(low01, high, 0), x.G0, ScalesOf512(scalesLow, pair, 0))
            + Group(Quant512(low01, high, 1), x.G1, ScalesOf512(scalesLow, pair, 1)))
            + (Group(Quant512(low23, high, 2), x.G2, ScalesOf512(scalesLow, pair, 2))
            + Group(Quant512(low23, high, 3), x.G3, ScalesOf512(scalesLow, pair, 3)))
            + ((Group(Quant512(low45, high, 4), x.G4, ScalesOf512(scalesHigh, pair, 0))
            + Group(Quant512(low45, high, 5), x.G5, ScalesOf512(scalesHigh, pair, 1)))
            + (Group(Quant512(low67, high, 6), x.G6, ScalesOf512(scalesHigh, pair, 2))
            + Group(Quant512(low67, high, 7), x.G7, ScalesOf512(scalesHigh, pair, 3))));
        return Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d, RowPairs.Spread(pair)), Avx512F.ConvertToVector512Single(ints), acc);

        static Vector512<int> Group(Vector512<byte> q, Vector512<sbyte> a, Vector512<short> scale) =>
            Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, a), scale);
    }

    /// <summary>One row pair of the group for eight tokens (the prefill and batched-decode GEMM); minSums holds their min sums.</summary>
    private static void Tile512(in KQuantGroup group, int pair, QuantizedActivations a, int t, float* minSums, MatMulOutput output)
    {
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        var stride = (long)a.QuantStride;
        for (var b = 0; b < group.Blocks; b++)
        {
            var data = group.Quants(b) + PairBytes * pair;
            var scales = group.Scales(b);
            var (scalesLow, scalesHigh) = Scales512(scales);
            var high = Vector512.Load(data + 256);
            var x = a.Quants(t) + b * SuperBlock;
            // Straight-line groups: a loop or switch here splits the body and spills the accumulators.
            var ints = default(EightTokenSums);
            var low = Vector512.Load(data);
            ints = ints.Add(Quant512(low, high, 0), ScalesOf512(scalesLow, pair, 0), x, stride);
            ints = ints.Add(Quant512(low, high, 1), ScalesOf512(scalesLow, pair, 1), x + 32, stride);
            low = Vector512.Load(data + 64);
            ints = ints.Add(Quant512(low, high, 2), ScalesOf512(scalesLow, pair, 2), x + 64, stride);
            ints = ints.Add(Quant512(low, high, 3), ScalesOf512(scalesLow, pair, 3), x + 96, stride);
            low = Vector512.Load(data + 128);
            ints = ints.Add(Quant512(low, high, 4), ScalesOf512(scalesHigh, pair, 0), x + 128, stride);
            ints = ints.Add(Quant512(low, high, 5), ScalesOf512(scalesHigh, pair, 1), x + 160, stride);
            low = Vector512.Load(data + 192);
            ints = ints.Add(Quant512(low, high, 6), ScalesOf512(scalesHigh, pair, 2), x + 192, stride);
            ints = ints.Add(Quant512(low, high, 7), ScalesOf512(scalesHigh, pair, 3), x + 224, stride);
            var d = Avx512F.PermuteVar16x32(HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + ScalesOffset))), RowPairs.Spread(pair));
            acc0 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t)[b], Avx512F.ConvertToVector512Single(ints.V0), acc0);
            acc1 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 1)[b], Avx512F.ConvertToVector512Single(ints.V1), acc1);
            acc2 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 2)[b], Avx512F.ConvertToVector512Single(ints.V2), acc2);
            acc3 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 3)[b], Avx512F.ConvertToVector512Single(ints.V3), acc3);
            acc4 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 4)[b], Avx512F.ConvertToVector512Single(ints.V4), acc4);
            acc5 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 5)[b], Avx512F.ConvertToVector512Single(ints.V5), acc5);
            acc6 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 6)[b], Avx512F.ConvertToVector512Single(ints.V6), acc6);
            acc7 = Vector512.FusedMultiplyAdd(d * a.SuperBlockScales(t + 7)[b], Avx512F.ConvertToVector512Single(ints.V7), acc7);
        }
        var row = 2 * pair;
        var count = Math.Min(2, group.Count - row);
        WritePair(output, t, group.Row + row, count, acc0, minSums + row);
        WritePair(output, t + 1, group.Row + row, count, acc1, minSums + Rows + row);
        WritePair(output, t + 2, group.Row + row, count, acc2, minSums + 2 * Rows + row);
        WritePair(output, t + 3, group.Row + row, count, acc3, minSums + 3 * Rows + row);
        WritePair(output, t + 4, group.Row + row, count, acc4, minSums + 4 * Rows + row);
        WritePair(output, t + 5, group.Row + row, count, acc5, minSums + 5 * Rows + row);
        WritePair(output, t + 6, group.Row + row, count, acc6, minSums + 6 * Rows + row);
        WritePair(output, t + 7, group.Row + row, count, acc7, minSums + 7 * Rows + row);
    }

    private static void WritePair(MatMulOutput output, int t, int row, int count, Vector512<float> pair, float* mins)
    {
        output.Write(t, row, RowPairs.HorizontalSum(pair.GetLower()) + mins[0]);
        if (count > 1)
            output.Write(t, row + 1, RowPairs.HorizontalSum(pair.GetUpper()) + mins[1]);
    }

    /// <summary>The min sums of all 16 rows for one token, a row per lane.</summary>
    private static Vector512<float> MinSums512(in KQuantGroup group, QuantizedActivations a, int t)
    {
        var x = new Q8_KToken(a, t);
        var mins = Vector512<float>.Zero;
        for (var b = 0; b < group.Blocks; b++)
            mins = Mins512(mins, group.Scales(b), x, b);
        return mins;
    }

    /// <summary>mins = fma(−d_a·dmin_w, Σ_g min_g·s_g, mins) for the 16 rows of a super-block, a row per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mins512(Vector512<float> mins, byte* scales, in Q8_KToken x, int b)
    {
        var word0 = Vector512.Load((uint*)scales);
        var word1 = Vector512.Load((uint*)(scales + 64));
        var word2 = Vector512.Load((uint*)(scales + 128));
        var minsLow = word1 & Vector512.Create(0x3F3F3F3Fu);
        var minsHigh = ((word2 >> 4) & Vector512.Create(0x0F0F0F0Fu)) | ((word1 >> 6) & Vector512.Create(0x03030303u)) << 4;
        var even = Vector512.Create(0x00FF00FFu);
        var pairs = x.PairSums + 4 * b;
        var sum = (Avx512BW.MultiplyAddAdjacent((minsLow & even).AsInt16(), Vector512.Create(pairs[0]).AsInt16())
            + Avx512BW.MultiplyAddAdjacent(((minsLow >> 8) & even).AsInt16(), Vector512.Create(pairs[1]).AsInt16()))
            + (Avx512BW.MultiplyAddAdjacent((minsHigh & even).AsInt16(), Vector512.Create(pairs[2]).AsInt16())
            + Avx512BW.MultiplyAddAdjacent(((minsHigh >> 8) & even).AsInt16(), Vector512.Create(pairs[3]).AsInt16()));
        var dmin = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + MinScalesOffset))) * -x.Scales[b];
        return Vector512.FusedMultiplyAdd(dmin, Avx512F.ConvertToVector512Single(sum), mins);
    }

    /// <summary>The 6-bit scales of 16 rows, a row per 32-bit lane: byte j is scale j (low) or j + 4 (high).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<byte> Low, Vector512<byte> High) Scales512(byte* scales)
    {
        var word0 = Vector512.Load((uint*)scales);
        var word2 = Vector512.Load((uint*)(scales + 128));
        return ((word0 & Vector512.Create(0x3F3F3F3Fu)).AsByte(),
            ((word2 & Vector512.Create(0x0F0F0F0Fu)) | ((word0 >> 6) & Vector512.Create(0x03030303u)) << 4).AsByte());
    }

    /// <summary>
    /// Scale j of rows 2·pair (int16 lanes 0-15) and 2·pair + 1 (lanes 16-31), picked from a row-per-lane scale table
    /// with the zero vector as the high bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> ScalesOf512(Vector512<byte> table, int pair, int j) =>
        Avx512Vbmi.PermuteVar64x8x2(table, (Vector512.Create(0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000,
            0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4000, 0x4004, 0x4004, 0x4004, 0x4004, 0x4004, 0x4004, 0x4004, 0x4004,
            0x4004, 0x4004, 0x4004, 0x4004, 0x4004, 0x4004, 0x4004, (short)0x4004) + Vector512.Create((short)(8 * pair + j))).AsByte(),
            Vector512<byte>.Zero).AsInt16();

    /// <summary>Group g's 5-bit quants of both rows: the nibble of its low-bit vector and bit g of the high-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Quant512(Vector512<byte> low, Vector512<byte> high, int g)
    {
        var nibble = (g % 2 == 0 ? low : (low.AsUInt16() >> 4).AsByte()) & Vector512.Create((byte)0x0F);
        var fifth = ((high.AsUInt16() >> g) << 4).AsByte() & Vector512.Create((byte)0x10);
        return nibble | fifth;
    }

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
        float mins0 = 0, mins1 = 0, mins2 = 0, mins3 = 0;
        for (var b = 0; b < group.Blocks; b++)
        {
            var scales = group.Scales(b);
            // ggml's kmask unpacking of the row's three packed words: byte j of the low words is scale (min) j, of the high words j + 4.
            var (word0, word1, word2) = (*(uint*)(scales + 4 * row), *(uint*)(scales + 64 + 4 * row), *(uint*)(scales + 128 + 4 * row));
            var scalesLow = word0 & 0x3F3F3F3F;
            var scalesHigh = (word2 & 0x0F0F0F0F) | ((word0 >> 6) & 0x03030303) << 4;
            var minsLow = word1 & 0x3F3F3F3F;
            var minsHigh = ((word2 >> 4) & 0x0F0F0F0F) | ((word1 >> 6) & 0x03030303) << 4;
            var minPairs = Vector128.Create(minsLow & 0x00FF00FF, (minsLow >> 8) & 0x00FF00FF, minsHigh & 0x00FF00FF, (minsHigh >> 8) & 0x00FF00FF).AsInt16();
            var data = group.Quants(b) + PairBytes * pair + 32 * second;
            var high = Vector256.Load(data + 256);
            // Straight-line group pairs: a loop with selects here would leave the accumulators in memory.
            var ints = default(FourTokenSums256);
            var o = b * SuperBlock;
            ints = GroupPair256<TTile>(ints, data, high, scalesLow, 0, x0.Quants + o, x1.Quants + o, x2.Quants + o, x3.Quants + o);
            ints = GroupPair256<TTile>(ints, data + 64, high, scalesLow >> 16, 2, x0.Quants + o + 64, x1.Quants + o + 64, x2.Quants + o + 64, x3.Quants + o + 64);
            ints = GroupPair256<TTile>(ints, data + 128, high, scalesHigh, 4, x0.Quants + o + 128, x1.Quants + o + 128, x2.Quants + o + 128, x3.Quants + o + 128);
            ints = GroupPair256<TTile>(ints, data + 192, high, scalesHigh >> 16, 6, x0.Quants + o + 192, x1.Quants + o + 192, x2.Quants + o + 192, x3.Quants + o + 192);
            var dw = HalfConversion.ToSingle(((ushort*)(scales + ScalesOffset))[row]);
            var dmin = HalfConversion.ToSingle(((ushort*)(scales + MinScalesOffset))[row]);
            acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(dw * x0.Scales[b]), Avx.ConvertToVector256Single(ints.V0), acc0);
            mins0 = MathF.FusedMultiplyAdd(-x0.Scales[b] * dmin, MinSum(x0, b, minPairs), mins0);
            if (TTile.Count > 1)
            {
                acc1 = Vector256.FusedMultiplyAdd(Vector256.Create(dw * x1.Scales[b]), Avx.ConvertToVector256Single(ints.V1), acc1);
                acc2 = Vector256.FusedMultiplyAdd(Vector256.Create(dw * x2.Scales[b]), Avx.ConvertToVector256Single(ints.V2), acc2);
                acc3 = Vector256.FusedMultiplyAdd(Vector256.Create(dw * x3.Scales[b]), Avx.ConvertToVector256Single(ints.V3), acc3);
                mins1 = MathF.FusedMultiplyAdd(-x1.Scales[b] * dmin, MinSum(x1, b, minPairs), mins1);
                mins2 = MathF.FusedMultiplyAdd(-x2.Scales[b] * dmin, MinSum(x2, b, minPairs), mins2);
                mins3 = MathF.FusedMultiplyAdd(-x3.Scales[b] * dmin, MinSum(x3, b, minPairs), mins3);
            }
        }
        output.Write(t, group.Row + row, RowPairs.HorizontalSum(acc0) + mins0);
        if (TTile.Count > 1)
        {
            output.Write(t + 1, group.Row + row, RowPairs.HorizontalSum(acc1) + mins1);
            output.Write(t + 2, group.Row + row, RowPairs.HorizontalSum(acc2) + mins2);
            output.Write(t + 3, group.Row + row, RowPairs.HorizontalSum(acc3) + mins3);
        }
    }

    /// <summary>Groups g and g + 1 (the low and high nibbles of one 32-byte vector) for up to four tokens; scales in the two low bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FourTokenSums256 GroupPair256<TTile>(FourTokenSums256 ints, byte* data, Vector256<byte> high, uint scales, int g,
        sbyte* x0, sbyte* x1, sbyte* x2, sbyte* x3) where TTile : struct, ITokenTile
    {
        var low = Vector256.Load(data);
        var nibble = Vector256.Create((byte)0x0F);
        var fifth = Vector256.Create((byte)0x10);
        var q0 = (low & nibble) | (((high.AsUInt16() >> g) << 4).AsByte() & fifth);
        var q1 = ((low.AsUInt16() >> 4).AsByte() & nibble) | (((high.AsUInt16() >> (g + 1)) << 4).AsByte() & fifth);
        ints = ints.Add<TTile>(q0, Vector256.Create((short)(scales & 0xFF)), x0, x1, x2, x3);
        return ints.Add<TTile>(q1, Vector256.Create((short)((scales >> 8) & 0xFF)), x0 + 32, x1 + 32, x2 + 32, x3 + 32);
    }

    /// <summary>Σ_g min_g · Σa over the eight groups of one token's super-block, from the mins as int16 pairs matching its pair sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MinSum(in Q8_KToken x, int b, Vector128<short> minPairs) =>
        Vector128.Sum(Sse2.MultiplyAddAdjacent(minPairs, Vector128.Load(x.PairSums + 4 * b).AsInt16()));

    private static float RowScalar(in KQuantGroup group, int row, QuantizedActivations a, int t)
    {
        var x = new Q8_KToken(a, t);
        var (pair, second) = (row / 2, row % 2);
        Span<float> acc = stackalloc float[8];
        Span<int> lanes = stackalloc int[8];
        Span<byte> packed = stackalloc byte[KScaleMins.Bytes];
        acc.Clear();
        var mins = 0f;
        for (var b = 0; b < group.Blocks; b++)
        {
            var scales = group.Scales(b);
            for (var w = 0; w < 3; w++)
                new ReadOnlySpan<byte>(scales + 64 * w + 4 * row, 4).CopyTo(packed[(4 * w)..]);
            var data = group.Quants(b) + PairBytes * pair + 32 * second;
            lanes.Clear();
            var minSum = 0;
            for (var g = 0; g < 8; g++)
            {
                var (scale, min) = KScaleMins.Unpack(packed, g);
                for (var l = 0; l < 32; l++)
                {
                    var q = ((data[64 * (g / 2) + l] >> (4 * (g % 2))) & 0x0F) | ((data[256 + l] >> g) & 1) << 4;
                    lanes[l / 4] += scale * (q * x.Quants[b * SuperBlock + 32 * g + l]);
                }
                minSum += min * GroupSum(x, b, g);
            }
            var da = x.Scales[b];
            mins = MathF.FusedMultiplyAdd(-da * HalfConversion.ToSingle(((ushort*)(scales + MinScalesOffset))[row]), minSum, mins);
            var d = HalfConversion.ToSingle(((ushort*)(scales + ScalesOffset))[row]) * da;
            for (var l = 0; l < 8; l++)
                acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
        }
        return (((acc[4] + acc[0]) + (acc[6] + acc[2])) + ((acc[5] + acc[1]) + (acc[7] + acc[3]))) + mins;
    }

    /// <summary>Σ of the 32 activation quants of group g of super-block b.</summary>
    private static int GroupSum(in Q8_KToken x, int b, int g) => x.GroupSums[16 * b + 2 * g] + x.GroupSums[16 * b + 2 * g + 1];
}
