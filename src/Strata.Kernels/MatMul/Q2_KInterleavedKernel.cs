using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q2_K weights in <see cref="MatrixLayout.Q2_KInterleaved"/> groups of 16 rows and Q8_K activations, in
/// the order of ggml's repacked q2_K_8x8 GEMV and GEMM (what llama.cpp runs on an AVX-512 CPU, for one token and for
/// tiles of four alike): per output and super-block the integer sums Σ_g scale_g·Σ q·a and Σ_g min_g·Σ a are exact,
/// then acc = fma(sumi, d_w·d_a, acc) and accMin = fma(summ, dmin_w·d_a, accMin) super-block after super-block, and
/// y = acc − accMin. As in <see cref="Q4_KInterleavedKernel"/>, the 16 rows of a group sit in the 16 lanes of a
/// vector, each 32-bit lane of a quant chunk holding four consecutive quant bytes of its row, so one broadcast of four
/// activations feeds all 16 rows; the four 2-bit fields of those bytes are four weights 32 apart.
/// </summary>
internal readonly unsafe struct Q2_KInterleavedKernel : IInterleavedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int SuperBlock = TensorTypeInfo.SuperBlock;

    /// <summary>Bytes of one super-block of a row group: 16 rows × 84, as stored.</summary>
    public const int SuperBlockBytes = Rows * Q2_KBlock.Bytes;

    private const int ScaleWordsOffset = 0;
    private const int ScalesOffset = 256;
    private const int MinScalesOffset = 288;
    private const int QuantsOffset = 320;
    private const int HalfBytes = 512;
    private const int PrefetchDistance = SuperBlockBytes;

    /// <summary>
    /// Writes one row's super-block <paramref name="b"/> into its place in the group. Super-block b of the
    /// group is <see cref="SuperBlockBytes"/> at b·SuperBlockBytes:
    /// <code>
    ///   0  256  the 16 scale/min bytes of every row as four 64-byte words: word w, row r at 64 w + 4 r holds the
    ///           bytes of groups 4 w .. 4 w + 3 (scale in the low nibble, min in the high)
    /// 256   32  d of the 16 rows (fp16)
    /// 288   32  dmin of the 16 rows (fp16)
    /// 320 1024  quants: half n, chunk k at 320 + 512 n + 64 k holds bytes 32 n + 4 k .. + 3 of each row's qs, row r
    ///           at + 4 r: bits 2 j .. 2 j + 1 are weights 128 n + 32 j + 4 k .. + 3, of group 8 n + 2 j + k / 4
    /// </code>
    /// </summary>
    public static void PackSuperBlock(byte* block, int row, int b, int blocks, byte* destination)
    {
        var target = destination + (long)b * SuperBlockBytes;
        for (var w = 0; w < 4; w++)
            *(uint*)(target + ScaleWordsOffset + 64 * w + 4 * row) = *(uint*)(block + 4 * w);
        ((ushort*)(target + ScalesOffset))[row] = *(ushort*)(block + 80);
        ((ushort*)(target + MinScalesOffset))[row] = *(ushort*)(block + 82);
        for (var n = 0; n < 2; n++)
        {
            for (var k = 0; k < 8; k++)
                *(uint*)(target + QuantsOffset + HalfBytes * n + 64 * k + 4 * row) = *(uint*)(block + 16 + 32 * n + 4 * k);
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
        var three = Vector512.Create((byte)3);
        var nibble = Vector512.Create((short)0x0F);
        for (var b = 0; b < group.Blocks; b++)
        {
            var block = group.Data + (long)b * SuperBlockBytes;
            var d = HalfConversion.ToSingle(Vector256.Load((ushort*)(block + ScalesOffset)));
            var dmin = HalfConversion.ToSingle(Vector256.Load((ushort*)(block + MinScalesOffset)));
            var mins = new MinWords512(block);
            min0 = mins.Accumulate(min0, x0, b, dmin);
            if (TTile.Count > 1)
            {
                min1 = mins.Accumulate(min1, x1, b, dmin);
                min2 = mins.Accumulate(min2, x2, b, dmin);
                min3 = mins.Accumulate(min3, x3, b, dmin);
            }

            Vector512<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
            for (var h = 0; h < 2; h++)
            {
                var quants = block + QuantsOffset + HalfBytes * h;
                CacheLines.Prefetch(quants + PrefetchDistance, HalfBytes + (h == 1 ? QuantsOffset : 0));
                for (var j = 0; j < 4; j++)
                {
                    // Groups 8h + 2j (chunks 0-3) and 8h + 2j + 1 (chunks 4-7): bytes 2(j mod 2) and + 1 of word 2h + j/2.
                    var word = Vector512.Load(block + ScaleWordsOffset + 64 * (2 * h + j / 2));
                    for (var half = 0; half < 2; half++)
                    {
                        var scale = Avx512BW.Shuffle(word, ScaleSelect512(2 * (j % 2) + half)).AsInt16() & nibble;
                        Vector512<short> q0 = default, q1 = default, q2 = default, q3 = default;
                        var offset = b * SuperBlock + 128 * h + 32 * j + 16 * half;
                        for (var k = 0; k < 4; k++)
                        {
                            var chunk = Vector512.Load(quants + 64 * (4 * half + k));
                            var q = (chunk.AsUInt16() >> (2 * j)).AsByte() & three;
                            var o = offset + 4 * k;
                            q0 += Avx512BW.MultiplyAddAdjacent(q, Broadcast512(x0.Quants + o));
                            if (TTile.Count > 1)
                            {
                                q1 += Avx512BW.MultiplyAddAdjacent(q, Broadcast512(x1.Quants + o));
                                q2 += Avx512BW.MultiplyAddAdjacent(q, Broadcast512(x2.Quants + o));
                                q3 += Avx512BW.MultiplyAddAdjacent(q, Broadcast512(x3.Quants + o));
                            }
                        }
                        sum0 += Avx512BW.MultiplyAddAdjacent(q0, scale);
                        if (TTile.Count > 1)
                        {
                            sum1 += Avx512BW.MultiplyAddAdjacent(q1, scale);
                            sum2 += Avx512BW.MultiplyAddAdjacent(q2, scale);
                            sum3 += Avx512BW.MultiplyAddAdjacent(q3, scale);
                        }
                    }
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
    /// The mins of one super-block of 16 rows as int16 pairs, from the four scale/min words: Even[w] holds the mins of
    /// groups 4w and 4w + 2 in the halves of each row's lane, Odd[w] those of 4w + 1 and 4w + 3.
    /// </summary>
    private readonly struct MinWords512
    {
        private readonly Vector512<short> _even0, _odd0, _even1, _odd1, _even2, _odd2, _even3, _odd3;

        public MinWords512(byte* block)
        {
            var mask = Vector512.Create(0x000F000Fu);
            var w0 = Vector512.Load((uint*)(block + ScaleWordsOffset));
            var w1 = Vector512.Load((uint*)(block + ScaleWordsOffset + 64));
            var w2 = Vector512.Load((uint*)(block + ScaleWordsOffset + 128));
            var w3 = Vector512.Load((uint*)(block + ScaleWordsOffset + 192));
            (_even0, _odd0) = (((w0 >> 4) & mask).AsInt16(), ((w0 >> 12) & mask).AsInt16());
            (_even1, _odd1) = (((w1 >> 4) & mask).AsInt16(), ((w1 >> 12) & mask).AsInt16());
            (_even2, _odd2) = (((w2 >> 4) & mask).AsInt16(), ((w2 >> 12) & mask).AsInt16());
            (_even3, _odd3) = (((w3 >> 4) & mask).AsInt16(), ((w3 >> 12) & mask).AsInt16());
        }

        /// <summary>acc += (Σ_g min_g · bsum_g) · dmin_w·d_a for one token.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Accumulate(Vector512<float> acc, in Q8_KToken x, int b, Vector512<float> dmin)
        {
            var s = x.GroupSums + 16 * b;
            var sum = (Avx512BW.MultiplyAddAdjacent(_even0, Pair512(s, 0)) + Avx512BW.MultiplyAddAdjacent(_odd0, Pair512(s, 1)))
                + (Avx512BW.MultiplyAddAdjacent(_even1, Pair512(s, 4)) + Avx512BW.MultiplyAddAdjacent(_odd1, Pair512(s, 5)))
                + (Avx512BW.MultiplyAddAdjacent(_even2, Pair512(s, 8)) + Avx512BW.MultiplyAddAdjacent(_odd2, Pair512(s, 9)))
                + (Avx512BW.MultiplyAddAdjacent(_even3, Pair512(s, 12)) + Avx512BW.MultiplyAddAdjacent(_odd3, Pair512(s, 13)));
            return Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sum), dmin * x.Scales[b], acc);
        }
    }

    /// <summary>The group sums g and g + 2 as an int16 pair in every 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Pair512(short* sums, int g) => Vector512.Create(Pair(sums, g)).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Pair256(short* sums, int g) => Vector256.Create(Pair(sums, g)).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Pair(short* sums, int g) => (ushort)sums[g] | sums[g + 2] << 16;

    /// <summary>A byte shuffle that puts byte j of each 32-bit lane into both of its 16-bit halves, zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> ScaleSelect512(int j) => (ScaleSelectBase + Vector512.Create((uint)j * 0x00010001u)).AsByte();

    // Per 32-bit lane k of a 128-bit lane: bytes 4k, zero, 4k, zero (0x80 zeroes a byte in vpshufb).
    private static readonly Vector512<uint> ScaleSelectBase = Vector512.Create(
        0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu, 0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu,
        0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu, 0x80008000u, 0x80048004u, 0x80088008u, 0x800C800Cu);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Broadcast512(sbyte* fourQuants) => Vector512.Create(*(int*)fourQuants).AsSByte();

    /// <summary>Rows 8·half .. 8·half + 7 of the group in 8-lane vectors.</summary>
    public static void Tile256<TTile>(in InterleavedGroup group, int rowHalf, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var n = TTile.Count;
        var x0 = new Q8_KToken(a, t);
        var x1 = new Q8_KToken(a, t + Math.Min(1, n - 1));
        var x2 = new Q8_KToken(a, t + Math.Min(2, n - 1));
        var x3 = new Q8_KToken(a, t + n - 1);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        Vector256<float> min0 = default, min1 = default, min2 = default, min3 = default;
        var three = Vector256.Create((byte)3);
        var nibble = Vector256.Create((short)0x0F);
        var lanes = 32 * rowHalf;
        for (var b = 0; b < group.Blocks; b++)
        {
            var block = group.Data + (long)b * SuperBlockBytes;
            var d = HalfConversion.ToSingle(Vector128.Load((ushort*)(block + ScalesOffset) + 8 * rowHalf));
            var dmin = HalfConversion.ToSingle(Vector128.Load((ushort*)(block + MinScalesOffset) + 8 * rowHalf));
            min0 = Mins256(min0, block + lanes, x0, b, dmin);
            if (TTile.Count > 1)
            {
                min1 = Mins256(min1, block + lanes, x1, b, dmin);
                min2 = Mins256(min2, block + lanes, x2, b, dmin);
                min3 = Mins256(min3, block + lanes, x3, b, dmin);
            }

            Vector256<int> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
            for (var h = 0; h < 2; h++)
            {
                var quants = block + QuantsOffset + HalfBytes * h + lanes;
                for (var j = 0; j < 4; j++)
                {
                    var word = Vector256.Load(block + ScaleWordsOffset + 64 * (2 * h + j / 2) + lanes);
                    for (var half = 0; half < 2; half++)
                    {
                        var scale = Avx2.Shuffle(word, ScaleSelect512(2 * (j % 2) + half).GetLower()).AsInt16() & nibble;
                        Vector256<short> q0 = default, q1 = default, q2 = default, q3 = default;
                        var offset = b * SuperBlock + 128 * h + 32 * j + 16 * half;
                        for (var k = 0; k < 4; k++)
                        {
                            var chunk = Vector256.Load(quants + 64 * (4 * half + k));
                            var q = (chunk.AsUInt16() >> (2 * j)).AsByte() & three;
                            var o = offset + 4 * k;
                            q0 += Avx2.MultiplyAddAdjacent(q, Broadcast256(x0.Quants + o));
                            if (TTile.Count > 1)
                            {
                                q1 += Avx2.MultiplyAddAdjacent(q, Broadcast256(x1.Quants + o));
                                q2 += Avx2.MultiplyAddAdjacent(q, Broadcast256(x2.Quants + o));
                                q3 += Avx2.MultiplyAddAdjacent(q, Broadcast256(x3.Quants + o));
                            }
                        }
                        sum0 += Avx2.MultiplyAddAdjacent(q0, scale);
                        if (TTile.Count > 1)
                        {
                            sum1 += Avx2.MultiplyAddAdjacent(q1, scale);
                            sum2 += Avx2.MultiplyAddAdjacent(q2, scale);
                            sum3 += Avx2.MultiplyAddAdjacent(q3, scale);
                        }
                    }
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
        var row = group.Row + 8 * rowHalf;
        var count = Math.Min(8, group.Count - 8 * rowHalf);
        output.Write(t, row, count, acc0 - min0);
        if (TTile.Count > 1)
        {
            output.Write(t + 1, row, count, acc1 - min1);
            output.Write(t + 2, row, count, acc2 - min2);
            output.Write(t + 3, row, count, acc3 - min3);
        }
    }

    /// <summary>acc += (Σ_g min_g · bsum_g) · dmin_w·d_a for one token and eight rows whose scale words start at words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mins256(Vector256<float> acc, byte* words, in Q8_KToken x, int b, Vector256<float> dmin)
    {
        var mask = Vector256.Create(0x000F000Fu);
        var s = x.GroupSums + 16 * b;
        var sum = Vector256<int>.Zero;
        for (var w = 0; w < 4; w++)
        {
            var word = Vector256.Load((uint*)(words + ScaleWordsOffset + 64 * w));
            sum += Avx2.MultiplyAddAdjacent(((word >> 4) & mask).AsInt16(), Pair256(s, 4 * w))
                + Avx2.MultiplyAddAdjacent(((word >> 12) & mask).AsInt16(), Pair256(s, 4 * w + 1));
        }
        return Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(sum), dmin * x.Scales[b], acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Broadcast256(sbyte* fourQuants) => Vector256.Create(*(int*)fourQuants).AsSByte();

    public static void GroupScalar(in InterleavedGroup group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var x = new Q8_KToken(a, t);
        for (var i = 0; i < group.Count; i++)
        {
            var acc = 0f;
            var accMin = 0f;
            for (var b = 0; b < group.Blocks; b++)
            {
                var block = group.Data + (long)b * SuperBlockBytes;
                var sumi = 0;
                var summ = 0;
                for (var g = 0; g < 16; g++)
                {
                    var packed = block[ScaleWordsOffset + 64 * (g / 4) + 4 * i + g % 4];
                    var sum = 0;
                    for (var e = 16 * g; e < 16 * g + 16; e++)
                    {
                        var (h, j, k, lane) = (e / 128, e % 128 / 32, e % 32 / 4, e % 4);
                        var q = (block[QuantsOffset + HalfBytes * h + 64 * k + 4 * i + lane] >> (2 * j)) & 3;
                        sum += q * x.Quants[b * SuperBlock + e];
                    }
                    sumi += (packed & 0x0F) * sum;
                    summ += (packed >> 4) * x.GroupSums[16 * b + g];
                }
                var da = x.Scales[b];
                acc = MathF.FusedMultiplyAdd(sumi, HalfConversion.ToSingle(((ushort*)(block + ScalesOffset))[i]) * da, acc);
                accMin = MathF.FusedMultiplyAdd(summ, HalfConversion.ToSingle(((ushort*)(block + MinScalesOffset))[i]) * da, accMin);
            }
            output.Write(t, group.Row + i, acc - accMin);
        }
    }
}
