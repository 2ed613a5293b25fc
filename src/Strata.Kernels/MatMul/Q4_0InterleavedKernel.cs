using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q4_0 weights in <see cref="MatrixLayout.Q4_0Interleaved"/> groups of 16 rows and Q8_0 activations.
/// Per output and block: isum = Σ (q − 8)·a exactly in integers, then acc = fma(isum, d_w·d_a, acc) block after
/// block, the order of ggml's repacked q4_0_8x8 GEMV and GEMM alike. The 16 rows of a group sit in the 16 lanes
/// of a vector: each 32-bit lane of an unpacked quant chunk holds four consecutive weights of its row, so one
/// broadcast of four activations serves all 16 rows. Nibbles stay unsigned (0..15) so vpmaddubsw can take them
/// directly; their pair sums (≤ 2·15·127) add up in int16 over a whole block without overflow, and the −8 offset
/// comes back as −8·Σa from the activations' cached block sums.
/// </summary>
internal static unsafe class Q4_0InterleavedKernel
{
    private const int Rows = PackedMatrix.GroupRows;
    private const int PrefetchDistance = 4 * PackedMatrix.Q4_0BlockPairBytes;

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
    {
        var blocks = w.Cols / 32;
        for (var g = groupStart; g < groupEnd; g++)
        {
            var group = new Group(w.Data + g * w.GroupStride, blocks, g * Rows, Math.Min(Rows, w.Rows - g * Rows));
            var t = 0;
            switch (level)
            {
                case SimdLevel.Avx512:
                    for (; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                        Tile512<FourTokens>(group, a, t, output);
                    switch (a.Batch - t) // the rows left over, in one tile: a tile per row repeats the unpacking
                    {
                        case 3: Tile512<ThreeTokens>(group, a, t, output); break;
                        case 2: Tile512<TwoTokens>(group, a, t, output); break;
                        case 1: Tile512<OneToken>(group, a, t, output); break;
                    }
                    break;
                case SimdLevel.Avx2:
                    for (var half = 0; half < 2 && half * 8 < group.Count; half++)
                    {
                        for (t = 0; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                            Tile256<FourTokens>(group, half, a, t, output);
                        switch (a.Batch - t)
                        {
                            case 3: Tile256<ThreeTokens>(group, half, a, t, output); break;
                            case 2: Tile256<TwoTokens>(group, half, a, t, output); break;
                            case 1: Tile256<OneToken>(group, half, a, t, output); break;
                        }
                    }
                    break;
                default:
                    for (; t < a.Batch; t++)
                        GroupScalar(group, a, t, output);
                    break;
            }
        }
    }

    private static void Tile512<TTile>(in Group group, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var acc2 = Vector512<float>.Zero;
        var acc3 = Vector512<float>.Zero;
        var x = new TileActivations(a, t, TTile.Count);
        var low = Vector512.Create((byte)0x0F);
        for (var b = 0; b < group.Blocks; b++)
        {
            var chunk = PackedMatrix.Q4_0Quants(group.Data, b);
            if ((b & 1) == 0)
                CacheLines.Prefetch(chunk + PrefetchDistance, PackedMatrix.Q4_0BlockPairBytes);
            var c0 = Vector512.Load(chunk);
            var c1 = Vector512.Load(chunk + 64);
            var c2 = Vector512.Load(chunk + 128);
            var c3 = Vector512.Load(chunk + 192);
            var w0 = c0 & low;
            var w1 = c1 & low;
            var w2 = c2 & low;
            var w3 = c3 & low;
            var w4 = (c0.AsUInt16() >> 4).AsByte() & low;
            var w5 = (c1.AsUInt16() >> 4).AsByte() & low;
            var w6 = (c2.AsUInt16() >> 4).AsByte() & low;
            var w7 = (c3.AsUInt16() >> 4).AsByte() & low;
            var dw = HalfConversion.ToSingle(Vector256.Load(PackedMatrix.Q4_0Scales(group.Data, b)));
            var offset = b * 32;
            acc0 = Block512(acc0, w0, w1, w2, w3, w4, w5, w6, w7, x.Q0 + offset, x.S0[b], dw * x.D0[b]);
            if (TTile.Count > 1)
                acc1 = Block512(acc1, w0, w1, w2, w3, w4, w5, w6, w7, x.Q1 + offset, x.S1[b], dw * x.D1[b]);
            if (TTile.Count > 2)
                acc2 = Block512(acc2, w0, w1, w2, w3, w4, w5, w6, w7, x.Q2 + offset, x.S2[b], dw * x.D2[b]);
            if (TTile.Count > 3)
                acc3 = Block512(acc3, w0, w1, w2, w3, w4, w5, w6, w7, x.Q3 + offset, x.S3[b], dw * x.D3[b]);
        }
        output.Write(t, group.Row, group.Count, acc0);
        if (TTile.Count > 1)
            output.Write(t + 1, group.Row, group.Count, acc1);
        if (TTile.Count > 2)
            output.Write(t + 2, group.Row, group.Count, acc2);
        if (TTile.Count > 3)
            output.Write(t + 3, group.Row, group.Count, acc3);
    }

    /// <summary>acc[16 rows] += Σ over the block of (q − 8)·a, scaled by d[16 rows], for one token's 32 quants a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Block512(Vector512<float> acc,
        Vector512<byte> w0, Vector512<byte> w1, Vector512<byte> w2, Vector512<byte> w3,
        Vector512<byte> w4, Vector512<byte> w5, Vector512<byte> w6, Vector512<byte> w7,
        sbyte* a, int sum, Vector512<float> d)
    {
        var pairs = (Avx512BW.MultiplyAddAdjacent(w0, Broadcast512(a)) + Avx512BW.MultiplyAddAdjacent(w1, Broadcast512(a + 4)))
            + (Avx512BW.MultiplyAddAdjacent(w2, Broadcast512(a + 8)) + Avx512BW.MultiplyAddAdjacent(w3, Broadcast512(a + 12)))
            + (Avx512BW.MultiplyAddAdjacent(w4, Broadcast512(a + 16)) + Avx512BW.MultiplyAddAdjacent(w5, Broadcast512(a + 20)))
            + (Avx512BW.MultiplyAddAdjacent(w6, Broadcast512(a + 24)) + Avx512BW.MultiplyAddAdjacent(w7, Broadcast512(a + 28)));
        var sums = Avx512BW.MultiplyAddAdjacent(pairs, Vector512<short>.One) - Vector512.Create(8 * sum);
        return Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sums), d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Broadcast512(sbyte* fourQuants) => Vector512.Create(*(int*)fourQuants).AsSByte();

    /// <summary>Rows 8·half .. 8·half + 7 of the group in 8-lane vectors.</summary>
    private static void Tile256<TTile>(in Group group, int half, QuantizedActivations a, int t, MatMulOutput output) where TTile : struct, ITokenTile
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        var x = new TileActivations(a, t, TTile.Count);
        var low = Vector256.Create((byte)0x0F);
        for (var b = 0; b < group.Blocks; b++)
        {
            var chunk = PackedMatrix.Q4_0Quants(group.Data, b) + 32 * half;
            var c0 = Vector256.Load(chunk);
            var c1 = Vector256.Load(chunk + 64);
            var c2 = Vector256.Load(chunk + 128);
            var c3 = Vector256.Load(chunk + 192);
            var w0 = c0 & low;
            var w1 = c1 & low;
            var w2 = c2 & low;
            var w3 = c3 & low;
            var w4 = (c0.AsUInt16() >> 4).AsByte() & low;
            var w5 = (c1.AsUInt16() >> 4).AsByte() & low;
            var w6 = (c2.AsUInt16() >> 4).AsByte() & low;
            var w7 = (c3.AsUInt16() >> 4).AsByte() & low;
            var dw = HalfConversion.ToSingle(Vector128.Load(PackedMatrix.Q4_0Scales(group.Data, b) + 8 * half));
            var offset = b * 32;
            acc0 = Block256(acc0, w0, w1, w2, w3, w4, w5, w6, w7, x.Q0 + offset, x.S0[b], dw * x.D0[b]);
            if (TTile.Count > 1)
                acc1 = Block256(acc1, w0, w1, w2, w3, w4, w5, w6, w7, x.Q1 + offset, x.S1[b], dw * x.D1[b]);
            if (TTile.Count > 2)
                acc2 = Block256(acc2, w0, w1, w2, w3, w4, w5, w6, w7, x.Q2 + offset, x.S2[b], dw * x.D2[b]);
            if (TTile.Count > 3)
                acc3 = Block256(acc3, w0, w1, w2, w3, w4, w5, w6, w7, x.Q3 + offset, x.S3[b], dw * x.D3[b]);
        }
        var row = group.Row + 8 * half;
        var count = Math.Min(8, group.Count - 8 * half);
        output.Write(t, row, count, acc0);
        if (TTile.Count > 1)
            output.Write(t + 1, row, count, acc1);
        if (TTile.Count > 2)
            output.Write(t + 2, row, count, acc2);
        if (TTile.Count > 3)
            output.Write(t + 3, row, count, acc3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Block256(Vector256<float> acc,
        Vector256<byte> w0, Vector256<byte> w1, Vector256<byte> w2, Vector256<byte> w3,
        Vector256<byte> w4, Vector256<byte> w5, Vector256<byte> w6, Vector256<byte> w7,
        sbyte* a, int sum, Vector256<float> d)
    {
        var pairs = (Avx2.MultiplyAddAdjacent(w0, Broadcast256(a)) + Avx2.MultiplyAddAdjacent(w1, Broadcast256(a + 4)))
            + (Avx2.MultiplyAddAdjacent(w2, Broadcast256(a + 8)) + Avx2.MultiplyAddAdjacent(w3, Broadcast256(a + 12)))
            + (Avx2.MultiplyAddAdjacent(w4, Broadcast256(a + 16)) + Avx2.MultiplyAddAdjacent(w5, Broadcast256(a + 20)))
            + (Avx2.MultiplyAddAdjacent(w6, Broadcast256(a + 24)) + Avx2.MultiplyAddAdjacent(w7, Broadcast256(a + 28)));
        var sums = Avx2.MultiplyAddAdjacent(pairs, Vector256<short>.One) - Vector256.Create(8 * sum);
        return Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(sums), d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Broadcast256(sbyte* fourQuants) => Vector256.Create(*(int*)fourQuants).AsSByte();

    private static void GroupScalar(in Group group, QuantizedActivations a, int t, MatMulOutput output)
    {
        var quants = a.Quants(t);
        var scales = a.Scales(t);
        var sums = a.Sums(t);
        for (var i = 0; i < group.Count; i++)
        {
            var acc = 0f;
            for (var b = 0; b < group.Blocks; b++)
            {
                var chunk = PackedMatrix.Q4_0Quants(group.Data, b) + 4 * i;
                var x = quants + b * 32;
                var isum = -8 * sums[b];
                for (var c = 0; c < 4; c++)
                {
                    for (var k = 0; k < 4; k++)
                    {
                        var packed = chunk[64 * c + k];
                        isum += (packed & 0x0F) * x[4 * c + k] + (packed >> 4) * x[16 + 4 * c + k];
                    }
                }
                var d = HalfConversion.ToSingle(PackedMatrix.Q4_0Scales(group.Data, b)[i]) * scales[b];
                acc = MathF.FusedMultiplyAdd(isum, d, acc);
            }
            output.Write(t, group.Row + i, acc);
        }
    }

    /// <summary>One row group: per block, quants [4 chunks][16 rows][4 bytes] and scales [16 rows], in block pairs.</summary>
    private readonly struct Group(byte* data, int blocks, int row, int count)
    {
        public byte* Data { get; } = data;
        public int Blocks { get; } = blocks;
        public int Row { get; } = row;
        public int Count { get; } = count;
    }
}
