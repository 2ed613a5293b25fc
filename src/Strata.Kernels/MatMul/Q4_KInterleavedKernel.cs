using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q4_K weights in <see cref="MatrixLayout.Q4_KInterleaved"/> groups of 16 rows and Q8_K activations, in the
/// order of ggml's repacked q4_K_8x8 GEMV (what llama.cpp runs for a single token): per output and super-block the
/// integer sums Σ_g scale_g·Σ q·a and Σ_g min_g·Σ a are exact, then acc = fma(sumi, d_w·d_a, acc) and
/// accMin = fma(summ, dmin_w·d_a, accMin) super-block after super-block, and y = acc − accMin. (ggml's GEMM for four
/// or more tokens folds every 64 weights into the float sums instead; one order for every batch keeps our results
/// batch-invariant, and the GEMV's is the one single-sequence decoding sees.) The 16 rows of a group sit in the 16
/// lanes of a vector, each 32-bit lane of a quant chunk holding four consecutive weights of its row, so one broadcast
/// of four activations feeds all 16 rows, as in <see cref="Q4_0InterleavedKernel"/>.
/// </summary>
internal readonly unsafe struct Q4_KInterleavedKernel : IInterleavedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;

    /// <summary>Bytes of one super-block of a row group: 16 rows × 144, as stored.</summary>
    public const int SuperBlockBytes = Rows * Q4_KBlock.Bytes;

    private const int ScaleWordsOffset = 0;
    private const int ScalesOffset = 192;
    private const int MinScalesOffset = 224;
    private const int QuantsOffset = 256;
    private const int PairBytes = 512;
    private const int PrefetchDistance = SuperBlockBytes;

    /// <summary>
    /// Writes one row's super-block <paramref name="b"/> into its place in the group. Super-block b of the
    /// group is <see cref="SuperBlockBytes"/> at b·SuperBlockBytes:
    /// <code>
    ///   0  192  the 12 packed scale/min bytes of every row as three 64-byte words: word w, row r at 64 w + 4 r
    /// 192   32  d of the 16 rows (fp16)
    /// 224   32  dmin of the 16 rows (fp16)
    /// 256 2048  quants: pair p (groups 2p, 2p+1), chunk k at 256 + 512 p + 64 k holds bytes 32 p + 4 k .. + 3 of
    ///           each row's qs, row r at + 4 r: low nibbles are weights 64 p + 4 k .. + 3, high nibbles 32 further
    /// </code>
    /// </summary>
    public static void PackSuperBlock(byte* block, int row, int b, int blocks, byte* destination)
    {
        var target = destination + (long)b * SuperBlockBytes;
        for (var w = 0; w < 3; w++)
            *(uint*)(target + ScaleWordsOffset + 64 * w + 4 * row) = *(uint*)(block + 4 + 4 * w);
        ((ushort*)(target + ScalesOffset))[row] = *(ushort*)block;
        ((ushort*)(target + MinScalesOffset))[row] = *(ushort*)(block + 2);
        for (var p = 0; p < 4; p++)
        {
            for (var k = 0; k < 8; k++)
                *(uint*)(target + QuantsOffset + PairBytes * p + 64 * k + 4 * row) = *(uint*)(block + 16 + 32 * p + 4 * k);
        }
    }

    public static long GroupBytes(int blocks) => (long)blocks * SuperBlockBytes;

    public static void Tile512<TTile>(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + Math.Min(1, n - 1));
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector512<float> min0 = default, min1 = default, min2 = default, min3 = default;
        var low = Vector512.Create((byte)0x0F);
        for (var b = 0; b < group.Blocks; b++)
        {
            var block = group.Data + (long)b * SuperBlockBytes;
            var (scalesLow, scalesHigh, minsLow, minsHigh) = ScalesAndMins(
                Vector512.Load((uint*)block), Vector512.Load((uint*)(block + 64)), Vector512.Load((uint*)(block + 128)));
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(block + ScalesOffset)));
            var dmin = HalfConversion.ToSingle(Vector256.Load((ushort*)(block + MinScalesOffset)));
            var evenMask = Vector512.Create(0x00FF00FFu);
            var m02 = (minsLow & evenMask).AsInt16();
            var m13 = ((minsLow >> 8) & evenMask).AsInt16();
            var m46 = (minsHigh & evenMask).AsInt16();
            var m57 = ((minsHigh >> 8) & evenMask).AsInt16();
            min0 = Mins512(min0, m02, m13, m46, m57, x0, b, dmin);
            if (TTile.Count > 1)
            {
                min1 = Mins512(min1, m02, m13, m46, m57, x1, b, dmin);
                min2 = Mins512(min2, m02, m13, m46, m57, x2, b, dmin);
                min3 = Mins512(min3, m02, m13, m46, m57, x3, b, dmin);
            }

            Vector512<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
            for (var p = 0; p < 4; p++)
            {
                var quants = block + QuantsOffset + PairBytes * p;
                CacheLines.Prefetch(quants + PrefetchDistance, PairBytes + (p == 3 ? QuantsOffset : 0));
                var scales = p < 2 ? scalesLow : scalesHigh;
                var scale0 = Avx512BW.Shuffle(scales.AsByte(), ScaleSelect512(2 * p % 4)).AsInt16();
                var scale1 = Avx512BW.Shuffle(scales.AsByte(), ScaleSelect512((2 * p + 1) % 4)).AsInt16();
                Vector512<short> lo0 = default, lo1 = default, lo2 = default, lo3 = default;
                Vector512<short> hi0 = default, hi1 = default, hi2 = default, hi3 = default;
                var offset = b * SuperBlock + 64 * p;
                for (var k = 0; k < 8; k++)
                {
                    var chunk = Vector512.Load(quants + 64 * k);
                    var wl = chunk & low;
                    var wh = (chunk.AsUInt16() >> 4).AsByte() & low;
                    var o = offset + 4 * k;
                    lo0 += Avx512BW.MultiplyAddAdjacent(wl, Broadcast512(x0.Quants + o));
                    hi0 += Avx512BW.MultiplyAddAdjacent(wh, Broadcast512(x0.Quants + o + 32));
                    if (TTile.Count > 1)
                    {
                        lo1 += Avx512BW.MultiplyAddAdjacent(wl, Broadcast512(x1.Quants + o));
                        hi1 += Avx512BW.MultiplyAddAdjacent(wh, Broadcast512(x1.Quants + o + 32));
                        lo2 += Avx512BW.MultiplyAddAdjacent(wl, Broadcast512(x2.Quants + o));
                        hi2 += Avx512BW.MultiplyAddAdjacent(wh, Broadcast512(x2.Quants + o + 32));
                        lo3 += Avx512BW.MultiplyAddAdjacent(wl, Broadcast512(x3.Quants + o));
                        hi3 += Avx512BW.MultiplyAddAdjacent(wh, Broadcast512(x3.Quants + o + 32));
                    }
                }
                sum0 += Avx512BW.MultiplyAddAdjacent(lo0, scale0) + Avx512BW.MultiplyAddAdjacent(hi0, scale1);
                if (TTile.Count > 1)
                {
                    sum1 += Avx512BW.MultiplyAddAdjacent(lo1, scale0) + Avx512BW.MultiplyAddAdjacent(hi1, scale1);
                    sum2 += Avx512BW.MultiplyAddAdjacent(lo2, scale0) + Avx512BW.MultiplyAddAdjacent(hi2, scale1);
                    sum3 += Avx512BW.MultiplyAddAdjacent(lo3, scale0) + Avx512BW.MultiplyAddAdjacent(hi3, scale1);
                }
            }
            acc0 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum0), d * x0.Scales[b], acc0);
            if (TTile.Count > 1)
            {
                acc1 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum1), d * x1.Scales[b], acc1);
                acc2 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum2), d * x2.Scales[b], acc2);
                acc3 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum3), d * x3.Scales[b], acc3);
            }
        }
        output.Write(t, group.Row, group.Count, acc0 - min0);
        if (TTile.Count > 1)
        {
            output.Write(t + 1, group.Row, group.Count, acc1 - min1);
            output.Write(t + 2, group.Row, group.Count, acc2 - min2);
            output.Write(t + 3, group.Row, group.Count, acc3 - min3);
        }
    }

    /// <summary>
    /// The 6-bit scales and mins of 16 rows from their three packed words (ggml's kmask unpacking, a row per lane):
    /// byte j of a row's lane is scale j (low) or j + 4 (high), and likewise for the mins.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<uint> ScalesLow, Vector512<uint> ScalesHigh, Vector512<uint> MinsLow, Vector512<uint> MinsHigh) ScalesAndMins(
        Vector512<uint> word0, Vector512<uint> word1, Vector512<uint> word2)
    {
        var six = Vector512.Create(0x3F3F3F3Fu);
        var four = Vector512.Create(0x0F0F0F0Fu);
        var two = Vector512.Create(0x03030303u);
        return (word0 & six, (word2 & four) | ((word0 >> 6) & two) << 4,
            word1 & six, ((word2 >> 4) & four) | ((word1 >> 6) & two) << 4);
    }

    /// <summary><see cref="ScalesAndMins(Vector512{uint}, Vector512{uint}, Vector512{uint})"/> for eight rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector256<uint> ScalesLow, Vector256<uint> ScalesHigh, Vector256<uint> MinsLow, Vector256<uint> MinsHigh) ScalesAndMins(
        Vector256<uint> word0, Vector256<uint> word1, Vector256<uint> word2)
    {
        var six = Vector256.Create(0x3F3F3F3Fu);
        var four = Vector256.Create(0x0F0F0F0Fu);
        var two = Vector256.Create(0x03030303u);
        return (word0 & six, (word2 & four) | ((word0 >> 6) & two) << 4,
            word1 & six, ((word2 >> 4) & four) | ((word1 >> 6) & two) << 4);
    }

    /// <summary>acc += (Σ_g min_g · s_g) · dmin_w·d_a for one token, from the mins as int16 pairs and its pair sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mins512(Vector512<float> acc, Vector512<short> m02, Vector512<short> m13, Vector512<short> m46, Vector512<short> m57,
        in Q8_KToken x, int b, Vector512<float> dmin) =>
        Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(MinSums512(m02, m13, m46, m57, x, b)), dmin * x.Scales[b], acc);

    /// <summary>Σ_g min_g · s_g per row (exact) for one token's super-block b, from the mins as int16 pairs (0, 2), (1, 3), (4, 6), (5, 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<int> MinSums512(Vector512<short> m02, Vector512<short> m13, Vector512<short> m46, Vector512<short> m57, in Q8_KToken x, int b)
    {
        var pairs = x.PairSums + 4 * b;
        return (Avx512BW.MultiplyAddAdjacent(m02, Vector512.Create(pairs[0]).AsInt16()) + Avx512BW.MultiplyAddAdjacent(m13, Vector512.Create(pairs[1]).AsInt16()))
            + (Avx512BW.MultiplyAddAdjacent(m46, Vector512.Create(pairs[2]).AsInt16()) + Avx512BW.MultiplyAddAdjacent(m57, Vector512.Create(pairs[3]).AsInt16()));
    }

    /// <summary>A byte shuffle that puts byte j of each 32-bit lane into both of its 16-bit halves, zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<byte> ScaleSelect512(int j) => (ScaleSelectBase + Vector512.Create((uint)j * 0x00010001u)).AsByte();

    // Per 32-bit lane k of a 128-bit lane: bytes 4k, zero, 4k, zero (0x80 zeroes a byte in vpshufb).
    private static readonly Vector512<uint> ScaleSelectBase = Vector512.Create(
        0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu, 0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu,
        0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu, 0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Broadcast512(sbyte* fourQuants) => Vector512.Create(*(int*)fourQuants).AsSByte();

    /// <summary>Rows 8·half .. 8·half + 7 of the group in 8-lane vectors.</summary>
    public static void Tile256<TTile>(in InterleavedGroup group, int half, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + Math.Min(1, n - 1));
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector256<float> min0 = default, min1 = default, min2 = default, min3 = default;
        var low = Vector256.Create((byte)0x0F);
        var evenMask = Vector256.Create(0x00FF00FFu);
        for (var b = 0; b < group.Blocks; b++)
        {
            var block = group.Data + (long)b * SuperBlockBytes;
            var (scalesLow, scalesHigh, minsLow, minsHigh) = ScalesAndMins(Vector256.Load((uint*)(block + 32 * half)),
                Vector256.Load((uint*)(block + 64 + 32 * half)), Vector256.Load((uint*)(block + 128 + 32 * half)));
            var d = HalfConversion.ToSingle(Vector128.Load((ushort*)(block + ScalesOffset) + 8 * half));
            var dmin = HalfConversion.ToSingle(Vector128.Load((ushort*)(block + MinScalesOffset) + 8 * half));
            var m02 = (minsLow & evenMask).AsInt16();
            var m13 = ((minsLow >> 8) & evenMask).AsInt16();
            var m46 = (minsHigh & evenMask).AsInt16();
            var m57 = ((minsHigh >> 8) & evenMask).AsInt16();
            min0 = Mins256(min0, m02, m13, m46, m57, x0, b, dmin);
            if (TTile.Count > 1)
            {
                min1 = Mins256(min1, m02, m13, m46, m57, x1, b, dmin);
                min2 = Mins256(min2, m02, m13, m46, m57, x2, b, dmin);
                min3 = Mins256(min3, m02, m13, m46, m57, x3, b, dmin);
            }

            Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
            for (var p = 0; p < 4; p++)
            {
                var quants = block + QuantsOffset + PairBytes * p + 32 * half;
                var scales = p < 2 ? scalesLow : scalesHigh;
                var scale0 = Avx2.Shuffle(scales.AsByte(), ScaleSelect512(2 * p % 4).GetLower()).AsInt16();
                var scale1 = Avx2.Shuffle(scales.AsByte(), ScaleSelect512((2 * p + 1) % 4).GetLower()).AsInt16();
                Vector256<short> lo0 = default, lo1 = default, lo2 = default, lo3 = default;
                Vector256<short> hi0 = default, hi1 = default, hi2 = default, hi3 = default;
                var offset = b * SuperBlock + 64 * p;
                for (var k = 0; k < 8; k++)
                {
                    var chunk = Vector256.Load(quants + 64 * k);
                    var wl = chunk & low;
                    var wh = (chunk.AsUInt16() >> 4).AsByte() & low;
                    var o = offset + 4 * k;
                    lo0 += Avx2.MultiplyAddAdjacent(wl, Broadcast256(x0.Quants + o));
                    hi0 += Avx2.MultiplyAddAdjacent(wh, Broadcast256(x0.Quants + o + 32));
                    if (TTile.Count > 1)
                    {
                        lo1 += Avx2.MultiplyAddAdjacent(wl, Broadcast256(x1.Quants + o));
                        hi1 += Avx2.MultiplyAddAdjacent(wh, Broadcast256(x1.Quants + o + 32));
                        lo2 += Avx2.MultiplyAddAdjacent(wl, Broadcast256(x2.Quants + o));
                        hi2 += Avx2.MultiplyAddAdjacent(wh, Broadcast256(x2.Quants + o + 32));
                        lo3 += Avx2.MultiplyAddAdjacent(wl, Broadcast256(x3.Quants + o));
                        hi3 += Avx2.MultiplyAddAdjacent(wh, Broadcast256(x3.Quants + o + 32));
                    }
                }
                sum0 += Avx2.MultiplyAddAdjacent(lo0, scale0) + Avx2.MultiplyAddAdjacent(hi0, scale1);
                if (TTile.Count > 1)
                {
                    sum1 += Avx2.MultiplyAddAdjacent(lo1, scale0) + Avx2.MultiplyAddAdjacent(hi1, scale1);
                    sum2 += Avx2.MultiplyAddAdjacent(lo2, scale0) + Avx2.MultiplyAddAdjacent(hi2, scale1);
                    sum3 += Avx2.MultiplyAddAdjacent(lo3, scale0) + Avx2.MultiplyAddAdjacent(hi3, scale1);
                }
            }
            acc0 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(sum0), d * x0.Scales[b], acc0);
            if (TTile.Count > 1)
            {
                acc1 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(sum1), d * x1.Scales[b], acc1);
                acc2 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(sum2), d * x2.Scales[b], acc2);
                acc3 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(sum3), d * x3.Scales[b], acc3);
            }
        }
        var row = group.Row + 8 * half;
        var count = Math.Min(8, group.Count - 8 * half);
        output.Write(t, row, count, acc0 - min0);
        if (TTile.Count > 1)
        {
            output.Write(t + 1, row, count, acc1 - min1);
            output.Write(t + 2, row, count, acc2 - min2);
            output.Write(t + 3, row, count, acc3 - min3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mins256(Vector256<float> acc, Vector256<short> m02, Vector256<short> m13, Vector256<short> m46, Vector256<short> m57,
        in Q8_KToken x, int b, Vector256<float> dmin) =>
        Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(MinSums256(m02, m13, m46, m57, x, b)), dmin * x.Scales[b], acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> MinSums256(Vector256<short> m02, Vector256<short> m13, Vector256<short> m46, Vector256<short> m57, in Q8_KToken x, int b)
    {
        var pairs = x.PairSums + 4 * b;
        return (Avx2.MultiplyAddAdjacent(m02, Vector256.Create(pairs[0]).AsInt16()) + Avx2.MultiplyAddAdjacent(m13, Vector256.Create(pairs[1]).AsInt16()))
            + (Avx2.MultiplyAddAdjacent(m46, Vector256.Create(pairs[2]).AsInt16()) + Avx2.MultiplyAddAdjacent(m57, Vector256.Create(pairs[3]).AsInt16()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Broadcast256(sbyte* fourQuants) => Vector256.Create(*(int*)fourQuants).AsSByte();

    public static void GroupScalar(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var x = new Q8_KToken(a, t);
        Span<byte> packed = stackalloc byte[KScaleMins.Bytes];
        for (var i = 0; i < group.Count; i++)
        {
            var acc = 0f;
            var accMin = 0f;
            for (var b = 0; b < group.Blocks; b++)
            {
                var block = group.Data + (long)b * SuperBlockBytes;
                for (var w = 0; w < 3; w++)
                    new ReadOnlySpan<byte>(block + ScaleWordsOffset + 64 * w + 4 * i, 4).CopyTo(packed[(4 * w)..]);
                var sumi = 0;
                var summ = 0;
                for (var g = 0; g < 8; g++)
                {
                    var (scale, min) = KScaleMins.Unpack(packed, g);
                    var (p, high) = (g / 2, g % 2);
                    var sum = 0;
                    for (var l = 0; l < 32; l++)
                    {
                        var (k, lane) = (l / 4, l % 4);
                        var q = (block[QuantsOffset + PairBytes * p + 64 * k + 4 * i + lane] >> (4 * high)) & 0x0F;
                        sum += q * x.Quants[b * SuperBlock + 32 * g + l];
                    }
                    sumi += scale * sum;
                    var pairSum = x.PairSums[4 * b + (g & 4) / 2 + (g & 1)];
                    summ += min * (short)((g & 2) == 0 ? pairSum : pairSum >> 16);
                }
                var da = x.Scales[b];
                acc = MathF.FusedMultiplyAdd(sumi, HalfConversion.ToSingle(((ushort*)(block + ScalesOffset))[i]) * da, acc);
                accMin = MathF.FusedMultiplyAdd(summ, HalfConversion.ToSingle(((ushort*)(block + MinScalesOffset))[i]) * da, accMin);
            }
            output.Write(t, group.Row + i, acc - accMin);
        }
    }
}
