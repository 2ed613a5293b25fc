using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q6_K weights in <see cref="MatrixLayout.Q6_KInterleaved"/> groups of 16 rows and Q8_K activations, in the
/// order of ggml's AVX2 vec_dot_q6_K_q8_K (llama.cpp does not repack Q6_K on x86; this is its path at every batch size):
/// per super-block eight integer lanes per output, lane l taking scale·q·a over the quants at (i mod 32) / 4 = l minus
/// 32·(scale·Σa) over the 16-quant groups 2l and 2l + 1, then acc_l = fma(d_w·d_a, lane_l, acc_l), and the lanes added
/// as hsum_float_8 does. The integer lanes are exact, so they may be formed in any order: here the 16 rows of a group sit
/// in the 16 lanes of a vector, each 32-bit lane of a quant chunk holding four consecutive quants of its row (a quarter's
/// share of one of ggml's lanes), so one broadcast of four activations feeds all 16 rows, as in
/// <see cref="Q4_KInterleavedKernel"/>.
/// </summary>
internal readonly unsafe struct Q6_KInterleavedKernel : IInterleavedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;
    private const int Lanes = 8;

    /// <summary>Bytes of one lane and half of a super-block: low bits of quarters 0/2, of 1/3, and the high bits, 16 rows each.</summary>
    private const int UnitBytes = 3 * 64;

    /// <summary>Quant bytes of one super-block of a row group.</summary>
    private const int QuantBytes = 2 * Lanes * UnitBytes;

    /// <summary>Scale bytes of one super-block of a row group: eight slots of 16 rows' scale pairs, then 16 fp16 d.</summary>
    private const int ScaleBytes = Rows * 16 + Rows * 2;
    private const int DOffset = Rows * 16;
    private const int PrefetchDistance = QuantBytes;

    public static long GroupBytes(int blocks) => (long)blocks * (QuantBytes + ScaleBytes);

    /// <summary>
    /// Writes one row's super-block <paramref name="b"/> into its place in the group, which holds first every super-block's
    /// quants (<see cref="QuantBytes"/> each, so they stay cache-line aligned), then every super-block's scales:
    /// <code>
    /// quants of super-block b, at b·3072: lane l (0..7) and half h at 192 (2 l + h), row r at + 4 r:
    ///     +0   ql[64 h + 4 l .. + 3]          (low nibbles: quarter 0 of the half, high nibbles: quarter 2)
    ///     +64  ql[64 h + 32 + 4 l .. + 3]     (quarters 1 and 3)
    ///     +128 qh[32 h + 4 l .. + 3]          (bits 2q, 2q + 1: quarter q)
    /// scales of super-block b, at blocks·3072 + 288 b:
    ///     +0   slot m (0..7) at 32 m: int8 scales 2m, 2m + 1 of each row, row r at + 2 r
    ///     +256 d of the 16 rows (fp16)
    /// </code>
    /// </summary>
    public static void PackSuperBlock(byte* block, int row, int b, int blocks, byte* destination)
    {
        for (var l = 0; l < Lanes; l++)
        {
            for (var h = 0; h < 2; h++)
            {
                var unit = destination + (long)b * QuantBytes + UnitBytes * (2 * l + h) + 4 * row;
                *(uint*)unit = *(uint*)(block + 64 * h + 4 * l);
                *(uint*)(unit + 64) = *(uint*)(block + 64 * h + 32 + 4 * l);
                *(uint*)(unit + 128) = *(uint*)(block + 128 + 32 * h + 4 * l);
            }
        }
        var scales = Scales(destination, blocks, b);
        for (var m = 0; m < Lanes; m++)
            *(ushort*)(scales + 32 * m + 2 * row) = *(ushort*)(block + 192 + 2 * m);
        ((ushort*)(scales + DOffset))[row] = *(ushort*)(block + 208);
    }

    public static void Tile512<TTile>(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        if (TTile.Count == 1)
        {
            Token512(group, new Q8_KToken(a, t), t, output);
            return;
        }
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + 1);
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        // ggml's eight float lanes per token (too many to keep in registers for four tokens), and the super-block's
        // scales widened once: scale 2m + s of every row in both int16 halves of its lane at 2m + s.
        var acc = stackalloc Vector512<float>[Lanes * FourTokens.Count];
        new Span<Vector512<float>>(acc, Lanes * n).Clear();
        var widened = stackalloc Vector512<short>[2 * Lanes];
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Data + (long)b * QuantBytes;
            var scales = Scales(group.Data, group.Blocks, b);
            for (var m = 0; m < Lanes; m++)
            {
                var pairs = Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)scales + 32 * m)).AsByte();
                widened[2 * m] = Avx512BW.Shuffle(pairs, FirstOfPair512).AsInt16();
                widened[2 * m + 1] = Avx512BW.Shuffle(pairs, SecondOfPair512).AsInt16();
            }
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + DOffset)));
            for (var l = 0; l < Lanes; l++)
            {
                var second = l / 4;
                var sums = default(TileSums512);
                for (var h = 0; h < 2; h++)
                {
                    var unit = quants + UnitBytes * (2 * l + h);
                    CacheLines.Prefetch(unit + PrefetchDistance, UnitBytes);
                    var low02 = Vector512.Load(unit);
                    var low13 = Vector512.Load(unit + 64);
                    var high = Vector512.Load(unit + 128);
                    // Quarter m = 4h + q takes scale 2m + second, widened at 2 m + second.
                    var scale = widened + 8 * h + second;
                    var o = b * SuperBlock + 128 * h + 4 * l;
                    sums = sums.Add<TTile>(Quarter512(low02, high, 0), scale[0], x0, x1, x2, x3, o);
                    sums = sums.Add<TTile>(Quarter512(low13, high, 1), scale[2], x0, x1, x2, x3, o + 32);
                    sums = sums.Add<TTile>(Quarter512(low02, high, 2), scale[4], x0, x1, x2, x3, o + 64);
                    sums = sums.Add<TTile>(Quarter512(low13, high, 3), scale[6], x0, x1, x2, x3, o + 96);
                }
                var pairScales = Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)scales + 32 * l));
                acc[l] = Fold512(acc[l], sums.V0, pairScales, x0.GroupSums + 16 * b, l, d * x0.Scales[b]);
                acc[Lanes + l] = Fold512(acc[Lanes + l], sums.V1, pairScales, x1.GroupSums + 16 * b, l, d * x1.Scales[b]);
                acc[2 * Lanes + l] = Fold512(acc[2 * Lanes + l], sums.V2, pairScales, x2.GroupSums + 16 * b, l, d * x2.Scales[b]);
                acc[3 * Lanes + l] = Fold512(acc[3 * Lanes + l], sums.V3, pairScales, x3.GroupSums + 16 * b, l, d * x3.Scales[b]);
            }
        }
        for (var i = 0; i < n; i++)
        {
            var lanes = acc + Lanes * i;
            output.Write(t + i, group.Row, group.Count,
                ((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3])));
        }
    }

    /// <summary>
    /// The decode GEMV: one token, its eight float lanes in registers and the lanes unrolled so every offset is a
    /// constant (a loop over the lanes with the lanes in memory spent half its instructions on addresses). Lanes 0-3
    /// take the first scale of each 16-quant pair and lanes 4-7 the second, so each half widens its eight scales once.
    /// </summary>
    private static void Token512(in InterleavedGroup group, in Q8_KToken x, int t, MatMulOutput output)
    {
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Data + (long)b * QuantBytes;
            var scales = Scales(group.Data, group.Blocks, b);
            var xq = x.Quants + b * SuperBlock;
            var groupSums = x.GroupSums + 16 * b;
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(scales + DOffset))) * x.Scales[b];
            var s = WidenedScales.Of(scales, FirstOfPair512);
            acc0 = Lane512(acc0, quants, xq, scales, groupSums, d, s, 0);
            acc1 = Lane512(acc1, quants, xq, scales, groupSums, d, s, 1);
            acc2 = Lane512(acc2, quants, xq, scales, groupSums, d, s, 2);
            acc3 = Lane512(acc3, quants, xq, scales, groupSums, d, s, 3);
            s = WidenedScales.Of(scales, SecondOfPair512);
            acc4 = Lane512(acc4, quants, xq, scales, groupSums, d, s, 4);
            acc5 = Lane512(acc5, quants, xq, scales, groupSums, d, s, 5);
            acc6 = Lane512(acc6, quants, xq, scales, groupSums, d, s, 6);
            acc7 = Lane512(acc7, quants, xq, scales, groupSums, d, s, 7);
        }
        output.Write(t, group.Row, group.Count, ((acc4 + acc0) + (acc6 + acc2)) + ((acc5 + acc1) + (acc7 + acc3)));
    }

    /// <summary>ggml lane l of 16 rows for one token's super-block (quants at xq): acc += dd · (Σ_m s_m·(q·a) − 32·(scale·Σa)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lane512(Vector512<float> acc, byte* quants, sbyte* xq, byte* scales, short* groupSums,
        Vector512<float> dd, in WidenedScales s, int l)
    {
        var ints = Half512(quants + UnitBytes * 2 * l, xq + 4 * l, s.S0, s.S1, s.S2, s.S3)
            + Half512(quants + UnitBytes * (2 * l + 1), xq + 128 + 4 * l, s.S4, s.S5, s.S6, s.S7);
        return Fold512(acc, ints, Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)scales + 32 * l)), groupSums, l, dd);
    }

    /// <summary>Σ over the four quarters of one unit (a lane's half) of scale·(q·a), the quarters' activations 32 apart from x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Half512(byte* unit, sbyte* x, Vector512<short> s0, Vector512<short> s1, Vector512<short> s2, Vector512<short> s3)
    {
        CacheLines.Prefetch(unit + PrefetchDistance, UnitBytes);
        var low02 = Vector512.Load(unit);
        var low13 = Vector512.Load(unit + 64);
        var high = Vector512.Load(unit + 128);
        return (Dot512(Quarter512(low02, high, 0), s0, x) + Dot512(Quarter512(low13, high, 1), s1, x + 32))
            + (Dot512(Quarter512(low02, high, 2), s2, x + 64) + Dot512(Quarter512(low13, high, 3), s3, x + 96));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot512(Vector512<byte> q, Vector512<short> scale, sbyte* fourQuants) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(q, Vector512.Create(*(int*)fourQuants).AsSByte()), scale);

    /// <summary>
    /// acc += dd · (ints − 32·(s_2l·Σa_2l + s_2l+1·Σa_2l+1)) for one token and ggml lane l of 16 rows: dd = d_w·d_a, and
    /// <paramref name="groupSums"/> the token's 16 group sums of this super-block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold512(Vector512<float> acc, Vector512<int> ints, Vector512<short> pairScales, short* groupSums, int l, Vector512<float> dd)
    {
        var lanes = ints - (Avx512BW.MultiplyAddAdjacent(pairScales, Vector512.Create(*(int*)(groupSums + 2 * l)).AsInt16()) << 5);
        return Vector512.FusedMultiplyAdd(dd, Avx512F.ConvertToVector512Single(lanes), acc);
    }

    /// <summary>Quarter q of a half (four quants of each row, 0..63) from its low-bit and high-bit chunks.</summary>
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

    // vpshufb patterns (per 128-bit lane) that copy the first or the second int16 of each 32-bit lane into both halves.
    private static readonly Vector512<byte> FirstOfPair512 = Vector512.Create(
        0x01000100u, 0x05040504u, 0x09080908u, 0x0D0C0D0Cu, 0x01000100u, 0x05040504u, 0x09080908u, 0x0D0C0D0Cu,
        0x01000100u, 0x05040504u, 0x09080908u, 0x0D0C0D0Cu, 0x01000100u, 0x05040504u, 0x09080908u, 0x0D0C0D0Cu).AsByte();
    private static readonly Vector512<byte> SecondOfPair512 = FirstOfPair512 + Vector512.Create((byte)2);

    public static void Tile256<TTile>(in InterleavedGroup group, int half, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        if (TTile.Count == 1)
        {
            Token256(group, half, new Q8_KToken(a, t), t, output);
            return;
        }
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + 1);
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        var acc = stackalloc Vector256<float>[Lanes * FourTokens.Count];
        new Span<Vector256<float>>(acc, Lanes * n).Clear();
        var widened = stackalloc Vector256<short>[2 * Lanes];
        var firstOfPair = FirstOfPair512.GetLower();
        var secondOfPair = SecondOfPair512.GetLower();
        for (var b = 0; b < group.Blocks; b++)
        {
            var quants = group.Data + (long)b * QuantBytes + 32 * half;
            var scales = Scales(group.Data, group.Blocks, b);
            for (var m = 0; m < Lanes; m++)
            {
                var pairs = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)scales + 32 * m + 16 * half)).AsByte();
                widened[2 * m] = Avx2.Shuffle(pairs, firstOfPair).AsInt16();
                widened[2 * m + 1] = Avx2.Shuffle(pairs, secondOfPair).AsInt16();
            }
            var d = HalfConversion.ToSingle(Vector128.Load((ushort*)(scales + DOffset) + 8 * half));
            for (var l = 0; l < Lanes; l++)
            {
                var second = l / 4;
                var sums = default(TileSums256);
                for (var h = 0; h < 2; h++)
                {
                    var unit = quants + UnitBytes * (2 * l + h);
                    var low02 = Vector256.Load(unit);
                    var low13 = Vector256.Load(unit + 64);
                    var high = Vector256.Load(unit + 128);
                    // Quarter m = 4h + q takes scale 2m + second, widened at 2 m + second.
                    var scale = widened + 8 * h + second;
                    var o = b * SuperBlock + 128 * h + 4 * l;
                    sums = sums.Add<TTile>(Quarter256(low02, high, 0), scale[0], x0, x1, x2, x3, o);
                    sums = sums.Add<TTile>(Quarter256(low13, high, 1), scale[2], x0, x1, x2, x3, o + 32);
                    sums = sums.Add<TTile>(Quarter256(low02, high, 2), scale[4], x0, x1, x2, x3, o + 64);
                    sums = sums.Add<TTile>(Quarter256(low13, high, 3), scale[6], x0, x1, x2, x3, o + 96);
                }
                var pairScales = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)scales + 32 * l + 16 * half));
                acc[l] = Fold256(acc[l], sums.V0, pairScales, x0, b, l, d);
                acc[Lanes + l] = Fold256(acc[Lanes + l], sums.V1, pairScales, x1, b, l, d);
                acc[2 * Lanes + l] = Fold256(acc[2 * Lanes + l], sums.V2, pairScales, x2, b, l, d);
                acc[3 * Lanes + l] = Fold256(acc[3 * Lanes + l], sums.V3, pairScales, x3, b, l, d);
            }
        }
        var row = group.Row + 8 * half;
        var count = Math.Min(8, group.Count - 8 * half);
        for (var i = 0; i < n; i++)
        {
            var lanes = acc + Lanes * i;
            output.Write(t + i, row, count,
                ((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3])));
        }
    }

    /// <summary>
    /// <see cref="Token512"/> for rows 8·half .. 8·half + 7 in 256-bit vectors: one token's eight float lanes in registers
    /// and the lanes unrolled, where the four-token tile kept the lanes in memory and looped over them.
    /// </summary>
    private static void Token256(in InterleavedGroup group, int half, in Q8_KToken x, int t, MatMulOutput output)
    {
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector256<float> acc4 = default, acc5 = default, acc6 = default, acc7 = default;
        var firstOfPair = FirstOfPair512.GetLower();
        var secondOfPair = SecondOfPair512.GetLower();
        for (var b = 0; b < group.Blocks; b++)
        {
            // This half's rows sit 32 bytes into each quant chunk and 16 bytes into each scale slot and the d's.
            var quants = group.Data + (long)b * QuantBytes + 32 * half;
            var scales = Scales(group.Data, group.Blocks, b) + 16 * half;
            var xq = x.Quants + b * SuperBlock;
            var groupSums = x.GroupSums + 16 * b;
            var d = HalfConversion.ToSingle(Vector128.Load((ushort*)(scales + DOffset))) * x.Scales[b];
            var s = WidenedScales256.Of(scales, firstOfPair);
            acc0 = Lane256(acc0, quants, xq, scales, groupSums, d, s, 0);
            acc1 = Lane256(acc1, quants, xq, scales, groupSums, d, s, 1);
            acc2 = Lane256(acc2, quants, xq, scales, groupSums, d, s, 2);
            acc3 = Lane256(acc3, quants, xq, scales, groupSums, d, s, 3);
            s = WidenedScales256.Of(scales, secondOfPair);
            acc4 = Lane256(acc4, quants, xq, scales, groupSums, d, s, 4);
            acc5 = Lane256(acc5, quants, xq, scales, groupSums, d, s, 5);
            acc6 = Lane256(acc6, quants, xq, scales, groupSums, d, s, 6);
            acc7 = Lane256(acc7, quants, xq, scales, groupSums, d, s, 7);
        }
        output.Write(t, group.Row + 8 * half, Math.Min(8, group.Count - 8 * half),
            ((acc4 + acc0) + (acc6 + acc2)) + ((acc5 + acc1) + (acc7 + acc3)));
    }

    /// <summary><see cref="Lane512"/> for eight rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lane256(Vector256<float> acc, byte* quants, sbyte* xq, byte* scales, short* groupSums,
        Vector256<float> dd, in WidenedScales256 s, int l)
    {
        var ints = Half256(quants + UnitBytes * 2 * l, xq + 4 * l, s.S0, s.S1, s.S2, s.S3)
            + Half256(quants + UnitBytes * (2 * l + 1), xq + 128 + 4 * l, s.S4, s.S5, s.S6, s.S7);
        var pairScales = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)scales + 32 * l));
        var lanes = ints - (Avx2.MultiplyAddAdjacent(pairScales, Vector256.Create(*(int*)(groupSums + 2 * l)).AsInt16()) << 5);
        return Vector256.FusedMultiplyAdd(dd, Avx.ConvertToVector256Single(lanes), acc);
    }

    /// <summary><see cref="Half512"/> for eight rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Half256(byte* unit, sbyte* x, Vector256<short> s0, Vector256<short> s1, Vector256<short> s2, Vector256<short> s3)
    {
        CacheLines.Prefetch(unit + PrefetchDistance, UnitBytes);
        var low02 = Vector256.Load(unit);
        var low13 = Vector256.Load(unit + 64);
        var high = Vector256.Load(unit + 128);
        return (Dot256(Quarter256(low02, high, 0), s0, x) + Dot256(Quarter256(low13, high, 1), s1, x + 32))
            + (Dot256(Quarter256(low02, high, 2), s2, x + 64) + Dot256(Quarter256(low13, high, 3), s3, x + 96));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot256(Vector256<byte> q, Vector256<short> scale, sbyte* fourQuants) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(q, Vector256.Create(*(int*)fourQuants).AsSByte()), scale);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fold256(Vector256<float> acc, Vector256<int> ints, Vector256<short> pairScales, in Q8_KToken x, int b, int l, Vector256<float> d)
    {
        var groupSums = Vector256.Create(*(int*)(x.GroupSums + 16 * b + 2 * l)).AsInt16();
        var lanes = ints - (Avx2.MultiplyAddAdjacent(pairScales, groupSums) << 5);
        return Vector256.FusedMultiplyAdd(d * x.Scales[b], Avx.ConvertToVector256Single(lanes), acc);
    }

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

    public static void GroupScalar(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var x = new Q8_KToken(a, t);
        Span<float> acc = stackalloc float[Lanes];
        Span<int> lanes = stackalloc int[Lanes];
        for (var i = 0; i < group.Count; i++)
        {
            acc.Clear();
            for (var b = 0; b < group.Blocks; b++)
            {
                var quants = group.Data + (long)b * QuantBytes;
                var scales = Scales(group.Data, group.Blocks, b);
                lanes.Clear();
                for (var e = 0; e < SuperBlock; e++)
                {
                    var (h, quarter, j) = (e / 128, e % 128 / 32, e % 32);
                    var unit = quants + UnitBytes * (2 * (j / 4) + h) + 4 * i + j % 4;
                    var low4 = (unit[64 * (quarter % 2)] >> (4 * (quarter / 2))) & 0x0F;
                    var high2 = (unit[128] >> (2 * quarter)) & 3;
                    var g = e / 16;
                    lanes[j / 4] += ((sbyte*)scales)[32 * (g / 2) + 2 * i + g % 2] * ((low4 | high2 << 4) * x.Quants[b * SuperBlock + e]);
                }
                for (var l = 0; l < Lanes; l++)
                {
                    var scale0 = ((sbyte*)scales)[32 * l + 2 * i];
                    var scale1 = ((sbyte*)scales)[32 * l + 2 * i + 1];
                    lanes[l] -= 32 * (scale0 * x.GroupSums[16 * b + 2 * l] + scale1 * x.GroupSums[16 * b + 2 * l + 1]);
                }
                var d = HalfConversion.ToSingle(((ushort*)(scales + DOffset))[i]) * x.Scales[b];
                for (var l = 0; l < Lanes; l++)
                    acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
            }
            output.Write(t, group.Row + i, RowPairs.HorizontalSum(acc));
        }
    }

    private static byte* Scales(byte* data, int blocks, int b) => data + (long)blocks * QuantBytes + (long)b * ScaleBytes;
}
