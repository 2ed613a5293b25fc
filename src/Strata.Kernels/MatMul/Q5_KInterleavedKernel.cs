using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q5_K weights in <see cref="MatrixLayout.Q5_KInterleaved"/> groups of 16 rows and Q8_K activations, in the
/// order of ggml's AVX2 vec_dot_q5_K_q8_K (llama.cpp does not repack Q5_K on x86; this is its path at every batch size):
/// per super-block eight integer lanes per output (lane l taking scale·q·a over the quants at (i mod 32) / 4 = l),
/// acc_l = fma(d_w·d_a, lane_l, acc_l), and beside them one float per output, mins = fma(−d_a·dmin_w, Σ_g min_g·Σa,
/// mins); the result is hsum_float_8(acc) + mins. The integer lanes are exact, so they may be formed in any order: the
/// rows sit in vector lanes four quants at a time as in <see cref="Q6_KInterleavedKernel"/>, and the packed 6-bit scales
/// and mins are read as <see cref="Q4_KInterleavedKernel"/> reads them.
/// </summary>
internal readonly unsafe struct Q5_KInterleavedKernel : IInterleavedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;
    private const int Lanes = 8;

    /// <summary>Bytes of one lane of a super-block: four chunks of low bits and one of high bits, 16 rows each.</summary>
    private const int UnitBytes = 5 * 64;

    /// <summary>Quant bytes of one super-block of a row group.</summary>
    private const int QuantBytes = Lanes * UnitBytes;

    /// <summary>Scale bytes of one super-block of a row group: the packed scale words of 16 rows, then d and dmin.</summary>
    private const int ScaleBytes = 192 + 2 * Rows * 2;
    private const int ScalesOffset = 192;
    private const int MinScalesOffset = 224;
    private const int PrefetchDistance = QuantBytes;

    public static long GroupBytes(int blocks) => (long)blocks * (QuantBytes + ScaleBytes);

    /// <summary>
    /// Writes one row's super-block <paramref name="b"/> into its place in the group, which holds first every super-block's
    /// quants (<see cref="QuantBytes"/> each, so they stay cache-line aligned), then every super-block's scales:
    /// <code>
    /// quants of super-block b, at b·2560: lane l (0..7) at 320 l, row r at + 4 r:
    ///     +64 p  qs[32 p + 4 l .. + 3] (p = 0..3; low nibbles: group 2p, high: 2p + 1)
    ///     +256   qh[4 l .. + 3]        (bit g: bit 4 of group g's quant)
    /// scales of super-block b, at blocks·2560 + 256 b:
    ///     +0     the 12 packed scale/min bytes of every row as three 64-byte words: word w, row r at 64 w + 4 r
    ///     +192   d of the 16 rows (fp16), +224 dmin of the 16 rows (fp16)
    /// </code>
    /// </summary>
    public static void PackSuperBlock(byte* block, int row, int b, int blocks, byte* destination)
    {
        for (var l = 0; l < Lanes; l++)
        {
            var unit = destination + (long)b * QuantBytes + UnitBytes * l + 4 * row;
            for (var p = 0; p < 4; p++)
                *(uint*)(unit + 64 * p) = *(uint*)(block + 48 + 32 * p + 4 * l);
            *(uint*)(unit + 256) = *(uint*)(block + 16 + 4 * l);
        }
        var scales = Scales(destination, blocks, b);
        for (var w = 0; w < 3; w++)
            *(uint*)(scales + 64 * w + 4 * row) = *(uint*)(block + 4 + 4 * w);
        ((ushort*)(scales + ScalesOffset))[row] = *(ushort*)block;
        ((ushort*)(scales + MinScalesOffset))[row] = *(ushort*)(block + 2);
    }

    public static void Tile512<TTile>(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + Math.Min(1, n - 1));
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        // ggml's eight float lanes per token (too many to keep in registers for four tokens), and the super-block's
        // scales widened once: scale g of every row in both int16 halves of its lane.
        var acc = stackalloc Vector512<float>[Lanes * FourTokens.Count];
        new Span<Vector512<float>>(acc, Lanes * n).Clear();
        var widened = stackalloc Vector512<short>[Lanes];
        Vector512<float> min0 = default, min1 = default, min2 = default, min3 = default;
        var evenMask = Vector512.Create(0x00FF00FFu);
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Data + (long)b * QuantBytes;
            var scales = Scales(group.Data, group.Blocks, b);
            var (scalesLow, scalesHigh, minsLow, minsHigh) = Q4_KInterleavedKernel.ScalesAndMins(
                Vector512.Load((uint*)scales), Vector512.Load((uint*)(scales + 64)), Vector512.Load((uint*)(scales + 128)));
            for (var g = 0; g < Lanes; g++)
                widened[g] = Avx512BW.Shuffle((g < 4 ? scalesLow : scalesHigh).AsByte(), Q4_KInterleavedKernel.ScaleSelect512(g % 4)).AsInt16();
            var m02 = (minsLow & evenMask).AsInt16();
            var m13 = ((minsLow >> 8) & evenMask).AsInt16();
            var m46 = (minsHigh & evenMask).AsInt16();
            var m57 = ((minsHigh >> 8) & evenMask).AsInt16();
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + ScalesOffset)));
            var dmin = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + MinScalesOffset)));
            min0 = Mins512(min0, Q4_KInterleavedKernel.MinSums512(m02, m13, m46, m57, x0, b), dmin, x0, b);
            if (TTile.Count > 1)
            {
                min1 = Mins512(min1, Q4_KInterleavedKernel.MinSums512(m02, m13, m46, m57, x1, b), dmin, x1, b);
                min2 = Mins512(min2, Q4_KInterleavedKernel.MinSums512(m02, m13, m46, m57, x2, b), dmin, x2, b);
                min3 = Mins512(min3, Q4_KInterleavedKernel.MinSums512(m02, m13, m46, m57, x3, b), dmin, x3, b);
            }
            for (var l = 0; l < Lanes; l++)
            {
                var unit = quants + UnitBytes * l;
                CacheLines.Prefetch(unit + PrefetchDistance, UnitBytes);
                var high = Vector512.Load(unit + 256);
                var low01 = Vector512.Load(unit);
                var low23 = Vector512.Load(unit + 64);
                var low45 = Vector512.Load(unit + 128);
                var low67 = Vector512.Load(unit + 192);
                var o = b * SuperBlock + 4 * l;
                var sums = default(TileSums512)
                    .Add<TTile>(Quant512(low01, high, 0), widened[0], x0, x1, x2, x3, o)
                    .Add<TTile>(Quant512(low01, high, 1), widened[1], x0, x1, x2, x3, o + 32)
                    .Add<TTile>(Quant512(low23, high, 2), widened[2], x0, x1, x2, x3, o + 64)
                    .Add<TTile>(Quant512(low23, high, 3), widened[3], x0, x1, x2, x3, o + 96)
                    .Add<TTile>(Quant512(low45, high, 4), widened[4], x0, x1, x2, x3, o + 128)
                    .Add<TTile>(Quant512(low45, high, 5), widened[5], x0, x1, x2, x3, o + 160)
                    .Add<TTile>(Quant512(low67, high, 6), widened[6], x0, x1, x2, x3, o + 192)
                    .Add<TTile>(Quant512(low67, high, 7), widened[7], x0, x1, x2, x3, o + 224);
                acc[l] = Vector512.FusedMultiplyAdd(d * x0.Scales[b], Avx512F.ConvertToVector512Single(sums.V0), acc[l]);
                if (TTile.Count > 1)
                {
                    acc[Lanes + l] = Vector512.FusedMultiplyAdd(d * x1.Scales[b], Avx512F.ConvertToVector512Single(sums.V1), acc[Lanes + l]);
                    acc[2 * Lanes + l] = Vector512.FusedMultiplyAdd(d * x2.Scales[b], Avx512F.ConvertToVector512Single(sums.V2), acc[2 * Lanes + l]);
                    acc[3 * Lanes + l] = Vector512.FusedMultiplyAdd(d * x3.Scales[b], Avx512F.ConvertToVector512Single(sums.V3), acc[3 * Lanes + l]);
                }
            }
        }
        output.Write(t, group.Row, group.Count, HorizontalSum(acc) + min0);
        if (TTile.Count > 1)
        {
            output.Write(t + 1, group.Row, group.Count, HorizontalSum(acc + Lanes) + min1);
            output.Write(t + 2, group.Row, group.Count, HorizontalSum(acc + 2 * Lanes) + min2);
            output.Write(t + 3, group.Row, group.Count, HorizontalSum(acc + 3 * Lanes) + min3);
        }
    }

    /// <summary>mins = fma(−d_a·dmin_w, Σ_g min_g·Σa, mins) for one token.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mins512(Vector512<float> mins, Vector512<int> sums, Vector512<float> dmin, in Q8_KToken x, int b) =>
        Vector512.FusedMultiplyAdd(dmin * -x.Scales[b], Avx512F.ConvertToVector512Single(sums), mins);

    /// <summary>ggml's hsum_float_8 of eight lane vectors, row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> HorizontalSum(Vector512<float>* lanes) =>
        ((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3]));

    /// <summary>Group g's quants (four of each row, 0..31) from the chunk of low bits holding it and the high bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Quant512(Vector512<byte> low, Vector512<byte> high, int g)
    {
        var nibble = Vector512.Create((byte)0x0F);
        var lowBits = g % 2 == 0 ? low & nibble : (low.AsUInt16() >> 4).AsByte() & nibble;
        // Bit g of the high byte becomes bit 4 (16-bit shifts: the mask drops what crosses between bytes).
        var highBit = (g < 4 ? high.AsUInt16() << (4 - g) : high.AsUInt16() >> (g - 4)).AsByte() & Vector512.Create((byte)0x10);
        return lowBits | highBit;
    }

    public static void Tile256<TTile>(in InterleavedGroup group, int half, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + Math.Min(1, n - 1));
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        var acc = stackalloc Vector256<float>[Lanes * FourTokens.Count];
        new Span<Vector256<float>>(acc, Lanes * n).Clear();
        var widened = stackalloc Vector256<short>[Lanes];
        Vector256<float> min0 = default, min1 = default, min2 = default, min3 = default;
        var evenMask = Vector256.Create(0x00FF00FFu);
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Data + (long)b * QuantBytes + 32 * half;
            var scales = Scales(group.Data, group.Blocks, b);
            var (scalesLow, scalesHigh, minsLow, minsHigh) = Q4_KInterleavedKernel.ScalesAndMins(Vector256.Load((uint*)(scales + 32 * half)),
                Vector256.Load((uint*)(scales + 64 + 32 * half)), Vector256.Load((uint*)(scales + 128 + 32 * half)));
            for (var g = 0; g < Lanes; g++)
                widened[g] = Avx2.Shuffle((g < 4 ? scalesLow : scalesHigh).AsByte(), Q4_KInterleavedKernel.ScaleSelect512(g % 4).GetLower()).AsInt16();
            var m02 = (minsLow & evenMask).AsInt16();
            var m13 = ((minsLow >> 8) & evenMask).AsInt16();
            var m46 = (minsHigh & evenMask).AsInt16();
            var m57 = ((minsHigh >> 8) & evenMask).AsInt16();
            var d = HalfConversion.ToSingle(Vector128.Load((ushort*)(scales + ScalesOffset) + 8 * half));
            var dmin = HalfConversion.ToSingle(Vector128.Load((ushort*)(scales + MinScalesOffset) + 8 * half));
            min0 = Mins256(min0, Q4_KInterleavedKernel.MinSums256(m02, m13, m46, m57, x0, b), dmin, x0, b);
            if (TTile.Count > 1)
            {
                min1 = Mins256(min1, Q4_KInterleavedKernel.MinSums256(m02, m13, m46, m57, x1, b), dmin, x1, b);
                min2 = Mins256(min2, Q4_KInterleavedKernel.MinSums256(m02, m13, m46, m57, x2, b), dmin, x2, b);
                min3 = Mins256(min3, Q4_KInterleavedKernel.MinSums256(m02, m13, m46, m57, x3, b), dmin, x3, b);
            }
            for (var l = 0; l < Lanes; l++)
            {
                var unit = quants + UnitBytes * l;
                var high = Vector256.Load(unit + 256);
                var low01 = Vector256.Load(unit);
                var low23 = Vector256.Load(unit + 64);
                var low45 = Vector256.Load(unit + 128);
                var low67 = Vector256.Load(unit + 192);
                var o = b * SuperBlock + 4 * l;
                var sums = default(TileSums256)
                    .Add<TTile>(Quant256(low01, high, 0), widened[0], x0, x1, x2, x3, o)
                    .Add<TTile>(Quant256(low01, high, 1), widened[1], x0, x1, x2, x3, o + 32)
                    .Add<TTile>(Quant256(low23, high, 2), widened[2], x0, x1, x2, x3, o + 64)
                    .Add<TTile>(Quant256(low23, high, 3), widened[3], x0, x1, x2, x3, o + 96)
                    .Add<TTile>(Quant256(low45, high, 4), widened[4], x0, x1, x2, x3, o + 128)
                    .Add<TTile>(Quant256(low45, high, 5), widened[5], x0, x1, x2, x3, o + 160)
                    .Add<TTile>(Quant256(low67, high, 6), widened[6], x0, x1, x2, x3, o + 192)
                    .Add<TTile>(Quant256(low67, high, 7), widened[7], x0, x1, x2, x3, o + 224);
                acc[l] = Vector256.FusedMultiplyAdd(d * x0.Scales[b], Avx.ConvertToVector256Single(sums.V0), acc[l]);
                if (TTile.Count > 1)
                {
                    acc[Lanes + l] = Vector256.FusedMultiplyAdd(d * x1.Scales[b], Avx.ConvertToVector256Single(sums.V1), acc[Lanes + l]);
                    acc[2 * Lanes + l] = Vector256.FusedMultiplyAdd(d * x2.Scales[b], Avx.ConvertToVector256Single(sums.V2), acc[2 * Lanes + l]);
                    acc[3 * Lanes + l] = Vector256.FusedMultiplyAdd(d * x3.Scales[b], Avx.ConvertToVector256Single(sums.V3), acc[3 * Lanes + l]);
                }
            }
        }
        var row = group.Row + 8 * half;
        var count = Math.Min(8, group.Count - 8 * half);
        output.Write(t, row, count, HorizontalSum(acc) + min0);
        if (TTile.Count > 1)
        {
            output.Write(t + 1, row, count, HorizontalSum(acc + Lanes) + min1);
            output.Write(t + 2, row, count, HorizontalSum(acc + 2 * Lanes) + min2);
            output.Write(t + 3, row, count, HorizontalSum(acc + 3 * Lanes) + min3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mins256(Vector256<float> mins, Vector256<int> sums, Vector256<float> dmin, in Q8_KToken x, int b) =>
        Vector256.FusedMultiplyAdd(dmin * -x.Scales[b], Avx.ConvertToVector256Single(sums), mins);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HorizontalSum(Vector256<float>* lanes) =>
        ((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Quant256(Vector256<byte> low, Vector256<byte> high, int g)
    {
        var nibble = Vector256.Create((byte)0x0F);
        var lowBits = g % 2 == 0 ? low & nibble : (low.AsUInt16() >> 4).AsByte() & nibble;
        var highBit = (g < 4 ? high.AsUInt16() << (4 - g) : high.AsUInt16() >> (g - 4)).AsByte() & Vector256.Create((byte)0x10);
        return lowBits | highBit;
    }

    public static void GroupScalar(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var x = new Q8_KToken(a, t);
        Span<byte> packed = stackalloc byte[KScaleMins.Bytes];
        Span<float> acc = stackalloc float[Lanes];
        Span<int> lanes = stackalloc int[Lanes];
        for (var i = 0; i < group.Count; i++)
        {
            acc.Clear();
            var mins = 0f;
            for (var b = 0; b < group.Blocks; b++)
            {
                var quants = group.Data + (long)b * QuantBytes;
                var scales = Scales(group.Data, group.Blocks, b);
                for (var w = 0; w < 3; w++)
                    new ReadOnlySpan<byte>(scales + 64 * w + 4 * i, 4).CopyTo(packed[(4 * w)..]);
                lanes.Clear();
                var summ = 0;
                for (var g = 0; g < Lanes; g++)
                {
                    var (scale, min) = KScaleMins.Unpack(packed, g);
                    for (var j = 0; j < 32; j++)
                    {
                        var unit = quants + UnitBytes * (j / 4) + 4 * i + j % 4;
                        var q = ((unit[64 * (g / 2)] >> (4 * (g % 2))) & 0x0F) | ((unit[256] >> g) & 1) << 4;
                        lanes[j / 4] += scale * (q * x.Quants[b * SuperBlock + 32 * g + j]);
                    }
                    summ += min * (x.GroupSums[16 * b + 2 * g] + x.GroupSums[16 * b + 2 * g + 1]);
                }
                var da = x.Scales[b];
                mins = MathF.FusedMultiplyAdd(-da * HalfConversion.ToSingle(((ushort*)(scales + MinScalesOffset))[i]), summ, mins);
                var d = da * HalfConversion.ToSingle(((ushort*)(scales + ScalesOffset))[i]);
                for (var l = 0; l < Lanes; l++)
                    acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
            }
            output.Write(t, group.Row + i, RowPairs.HorizontalSum(acc) + mins);
        }
    }

    private static byte* Scales(byte* data, int blocks, int b) => data + (long)blocks * QuantBytes + (long)b * ScaleBytes;
}
