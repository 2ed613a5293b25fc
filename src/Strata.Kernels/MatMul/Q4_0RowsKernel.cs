using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q4_0 rows as stored (a row count that is not a multiple of 8, which ggml does not repack) and Q8_0
/// activations, in the order of ggml's AVX2 vec_dot_q4_0_q8_0 and llamafile's tinyBLAS: eight float lanes per
/// output, lane l taking the integer sum of quants 4l..4l+3 of each block, acc_l = fma(d_w·d_a, sum_l, acc_l), and
/// the lanes added as hsum_float_8 does. AVX-512 puts two rows in one vector (the low and high 8 lanes).
/// Signed×signed products use the sign trick: |w| times a with w's sign, which vpmaddubsw accepts.
/// </summary>
internal static unsafe class Q4_0RowsKernel
{
    private const int BlockBytes = 18;

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
    {
        var rowBytes = (int)w.Source.RowBytes;
        var blocks = w.Cols / 32;
        var end = Math.Min(w.Rows, groupEnd * PackedMatrix.GroupRows);
        for (var row = groupStart * PackedMatrix.GroupRows; row < end; row += level == SimdLevel.Avx512 ? 2 : 1)
        {
            var row0 = w.Data + (long)row * rowBytes;
            switch (level)
            {
                case SimdLevel.Avx512:
                {
                    var pair = row + 1 < end;
                    var row1 = pair ? row0 + rowBytes : row0;
                    var t = 0;
                    for (; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                        Pair512<FourTokens>(row0, row1, blocks, a, t, output, row, pair);
                    for (; t < a.Batch; t++)
                        Pair512<OneToken>(row0, row1, blocks, a, t, output, row, pair);
                    break;
                }
                case SimdLevel.Avx2:
                {
                    var t = 0;
                    for (; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                        Row256<FourTokens>(row0, blocks, a, t, output, row);
                    for (; t < a.Batch; t++)
                        Row256<OneToken>(row0, blocks, a, t, output, row);
                    break;
                }
                default:
                    for (var t = 0; t < a.Batch; t++)
                        output.Write(t, row, RowScalar(row0, blocks, a.Quants(t), a.Scales(t)));
                    break;
            }
        }
    }

    private static void Pair512<TTile>(byte* row0, byte* row1, int blocks, QuantizedActivations a, int t, MatMulOutput output, int row, bool pair)
        where TTile : struct, ITokenTile
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var acc2 = Vector512<float>.Zero;
        var acc3 = Vector512<float>.Zero;
        var x = new TileActivations(a, t, TTile.Count);
        for (var b = 0; b < blocks; b++)
        {
            var block0 = row0 + b * BlockBytes;
            var block1 = row1 + b * BlockBytes;
            var weights = Avx512F.InsertVector256(Load(block0).ToVector512Unsafe(), Load(block1), 1);
            var magnitudes = Vector512.Abs(weights).AsByte();
            var negative = Vector512.LessThan(weights, Vector512<sbyte>.Zero);
            var dw = Avx512F.InsertVector256(Vector512.Create(HalfConversion.ToSingle(*(ushort*)block0)), Vector256.Create(HalfConversion.ToSingle(*(ushort*)block1)), 1);
            var offset = b * 32;
            acc0 = Lanes512(acc0, magnitudes, negative, x.Q0 + offset, dw * x.D0[b]);
            if (TTile.Count > 1)
            {
                acc1 = Lanes512(acc1, magnitudes, negative, x.Q1 + offset, dw * x.D1[b]);
                acc2 = Lanes512(acc2, magnitudes, negative, x.Q2 + offset, dw * x.D2[b]);
                acc3 = Lanes512(acc3, magnitudes, negative, x.Q3 + offset, dw * x.D3[b]);
            }
        }
        WritePair(output, t, row, pair, acc0);
        if (TTile.Count > 1)
        {
            WritePair(output, t + 1, row, pair, acc1);
            WritePair(output, t + 2, row, pair, acc2);
            WritePair(output, t + 3, row, pair, acc3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lanes512(Vector512<float> acc, Vector512<byte> magnitudes, Vector512<sbyte> negative, sbyte* a, Vector512<float> d)
    {
        var activations = Broadcast256.Load(a);
        var signed = Avx512BW.BlendVariable(activations, -activations, negative);
        var sums = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(magnitudes, signed), Vector512<short>.One);
        return Vector512.FusedMultiplyAdd(d, Avx512F.ConvertToVector512Single(sums), acc);
    }

    private static void WritePair(MatMulOutput output, int t, int row, bool pair, Vector512<float> acc)
    {
        output.Write(t, row, HorizontalSum(acc.GetLower()));
        if (pair)
            output.Write(t, row + 1, HorizontalSum(acc.GetUpper()));
    }

    private static void Row256<TTile>(byte* row0, int blocks, QuantizedActivations a, int t, MatMulOutput output, int row)
        where TTile : struct, ITokenTile
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        var x = new TileActivations(a, t, TTile.Count);
        for (var b = 0; b < blocks; b++)
        {
            var block = row0 + b * BlockBytes;
            var weights = Load(block);
            var magnitudes = Avx2.Sign(weights, weights).AsByte();
            var dw = HalfConversion.ToSingle(*(ushort*)block);
            var offset = b * 32;
            acc0 = Lanes256(acc0, magnitudes, weights, x.Q0 + offset, dw * x.D0[b]);
            if (TTile.Count > 1)
            {
                acc1 = Lanes256(acc1, magnitudes, weights, x.Q1 + offset, dw * x.D1[b]);
                acc2 = Lanes256(acc2, magnitudes, weights, x.Q2 + offset, dw * x.D2[b]);
                acc3 = Lanes256(acc3, magnitudes, weights, x.Q3 + offset, dw * x.D3[b]);
            }
        }
        output.Write(t, row, HorizontalSum(acc0));
        if (TTile.Count > 1)
        {
            output.Write(t + 1, row, HorizontalSum(acc1));
            output.Write(t + 2, row, HorizontalSum(acc2));
            output.Write(t + 3, row, HorizontalSum(acc3));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lanes256(Vector256<float> acc, Vector256<byte> magnitudes, Vector256<sbyte> weights, sbyte* a, float d)
    {
        var signed = Avx2.Sign(Vector256.Load(a), weights);
        var sums = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(magnitudes, signed), Vector256<short>.One);
        return Vector256.FusedMultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sums), acc);
    }

    private static float RowScalar(byte* row, int blocks, sbyte* quants, float* scales)
    {
        var lanes = stackalloc float[8];
        new Span<float>(lanes, 8).Clear();
        for (var b = 0; b < blocks; b++)
        {
            var block = row + b * BlockBytes;
            var d = HalfConversion.ToSingle(*(ushort*)block) * scales[b];
            for (var l = 0; l < 8; l++)
            {
                var sum = 0;
                for (var k = 4 * l; k < 4 * l + 4; k++)
                    sum += Quant(block, k) * quants[b * 32 + k];
                lanes[l] = MathF.FusedMultiplyAdd(d, sum, lanes[l]);
            }
        }
        return HorizontalSum(lanes);
    }

    /// <summary>The block's 32 quants, offset to −8..7: q[j] in the low nibble of byte j, q[j + 16] in the high one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Load(byte* block)
    {
        var packed = Vector128.Load(block + 2);
        var low = packed & Vector128.Create((byte)0x0F);
        var high = (packed.AsUInt16() >> 4).AsByte() & Vector128.Create((byte)0x0F);
        return Vector256.Create(low, high).AsSByte() - Vector256.Create((sbyte)8);
    }

    private static int Quant(byte* block, int i) => (i < 16 ? block[2 + i] & 0x0F : block[2 + i - 16] >> 4) - 8;

    /// <summary>ggml's hsum_float_8: the two halves added lane-wise, then (0 + 2) + (1 + 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector256<float> v)
    {
        var quarter = v.GetUpper() + v.GetLower();
        return (quarter.GetElement(0) + quarter.GetElement(2)) + (quarter.GetElement(1) + quarter.GetElement(3));
    }

    private static float HorizontalSum(float* lanes) =>
        ((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3]));
}
