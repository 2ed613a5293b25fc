using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q4_K, Q5_K and Q6_K weight rows and Q8_K activations. Per super-block of 256 the integer sums
/// Σ scale_g·Σ q·a (and for Q4_K/Q5_K Σ min_g·Σa from the cached activation sums) are exact, then folded into one
/// float accumulator: acc = fma(d·d_a, sumi, acc), acc = fma(−dmin·d_a, summ, acc). Groups of 32 quants fit one
/// 256-bit vector, so both SIMD levels use 256-bit code here; the scalar level computes the same integers.
/// </summary>
internal static unsafe class KQuantRowsKernel
{
    private const int SuperBlock = 256;
    private const int ActivationBytes = 292;
    private const int ActivationQuants = 4;
    private const int ActivationSums = 260;

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
    {
        var rowBytes = (int)w.Source.RowBytes;
        var blocks = w.Cols / SuperBlock;
        var vector = level != SimdLevel.Scalar;
        var end = Math.Min(w.Rows, groupEnd * PackedMatrix.GroupRows);
        for (var row = groupStart * PackedMatrix.GroupRows; row < end; row++)
        {
            var weights = w.Source.Data + (long)row * rowBytes;
            for (var t = 0; t < a.Batch; t++)
            {
                var activations = a.Block(t);
                var acc = 0f;
                for (var b = 0; b < blocks; b++)
                {
                    var x = activations + b * ActivationBytes;
                    var da = *(float*)x;
                    switch (w.Layout)
                    {
                        case MatrixLayout.Q4_KRows or MatrixLayout.Q5_KRows:
                        {
                            var block = weights + b * (w.Layout == MatrixLayout.Q4_KRows ? 144 : 176);
                            var sumi = vector ? AffineSum256(block, x, w.Layout == MatrixLayout.Q5_KRows) : AffineSumScalar(block, x, w.Layout == MatrixLayout.Q5_KRows);
                            var summ = MinSum(block, x);
                            acc = MathF.FusedMultiplyAdd(HalfConversion.ToSingle(*(ushort*)block) * da, sumi, acc);
                            acc = MathF.FusedMultiplyAdd(-(HalfConversion.ToSingle(*(ushort*)(block + 2)) * da), summ, acc);
                            break;
                        }
                        default:
                        {
                            var block = weights + b * 210;
                            var sumi = vector ? Q6Sum256(block, x) : Q6SumScalar(block, x);
                            acc = MathF.FusedMultiplyAdd(HalfConversion.ToSingle(*(ushort*)(block + 208)) * da, sumi, acc);
                            break;
                        }
                    }
                }
                output.Write(t, row, acc);
            }
        }
    }

    /// <summary>Q4_K/Q5_K: Σ_g scale_g · Σ_{i in g} q_i·a_i over the 8 groups of 32; block is the weight super-block, x the Q8_K block.</summary>
    private static int AffineSum256(byte* block, byte* x, bool fifthBit)
    {
        var quants = block + (fifthBit ? 48 : 16);
        var highBits = fifthBit ? Vector256.Load(block + 16) : Vector256<byte>.Zero;
        var aq = (sbyte*)(x + ActivationQuants);
        var low = Vector256.Create((byte)0x0F);
        var acc = Vector256<int>.Zero;
        for (var j = 0; j < 4; j++)
        {
            var packed = Vector256.Load(quants + 32 * j);
            var q0 = packed & low;
            var q1 = (packed.AsUInt16() >> 4).AsByte() & low;
            if (fifthBit)
            {
                q0 |= FifthBit(highBits, 2 * j);
                q1 |= FifthBit(highBits, 2 * j + 1);
            }
            var (scale0, _) = Quant.KScaleMins.Unpack(new ReadOnlySpan<byte>(block + 4, 12), 2 * j);
            var (scale1, _) = Quant.KScaleMins.Unpack(new ReadOnlySpan<byte>(block + 4, 12), 2 * j + 1);
            var p0 = Avx2.MultiplyAddAdjacent(q0, Vector256.Load(aq + 64 * j));
            var p1 = Avx2.MultiplyAddAdjacent(q1, Vector256.Load(aq + 64 * j + 32));
            acc += Avx2.MultiplyAddAdjacent(p0, Vector256.Create((short)scale0)) + Avx2.MultiplyAddAdjacent(p1, Vector256.Create((short)scale1));
        }
        return Vector256.Sum(acc);
    }

    /// <summary>Bit <paramref name="group"/> of each of the 32 high-bit bytes, moved to bit 4.</summary>
    private static Vector256<byte> FifthBit(Vector256<byte> highBits, int group) =>
        (((highBits.AsUInt16() >> group).AsByte() & Vector256<byte>.One).AsUInt16() << 4).AsByte();

    private static int AffineSumScalar(byte* block, byte* x, bool fifthBit)
    {
        var quants = block + (fifthBit ? 48 : 16);
        var aq = (sbyte*)(x + ActivationQuants);
        var sumi = 0;
        for (var g = 0; g < 8; g++)
        {
            var (scale, _) = Quant.KScaleMins.Unpack(new ReadOnlySpan<byte>(block + 4, 12), g);
            var sum = 0;
            for (var l = 0; l < 32; l++)
            {
                var q = (quants[32 * (g / 2) + l] >> (4 * (g % 2))) & 0x0F;
                if (fifthBit)
                    q |= ((block[16 + l] >> g) & 1) << 4;
                sum += q * aq[32 * g + l];
            }
            sumi += scale * sum;
        }
        return sumi;
    }

    /// <summary>Q4_K/Q5_K: Σ_g min_g · Σ_{i in g} a_i from the Q8_K block's cached sums of 16.</summary>
    private static int MinSum(byte* block, byte* x)
    {
        var sums = (short*)(x + ActivationSums);
        var summ = 0;
        for (var g = 0; g < 8; g++)
        {
            var (_, min) = Quant.KScaleMins.Unpack(new ReadOnlySpan<byte>(block + 4, 12), g);
            summ += min * (sums[2 * g] + sums[2 * g + 1]);
        }
        return summ;
    }

    /// <summary>Q6_K: Σ_g scale_g · Σ_{i in g} (q_i − 32)·a_i over 16 groups of 16.</summary>
    private static int Q6Sum256(byte* block, byte* x)
    {
        var aq = (sbyte*)(x + ActivationQuants);
        var scales = (sbyte*)(block + 192);
        var low = Vector256.Create((byte)0x0F);
        var acc = Vector256<int>.Zero;
        for (var h = 0; h < 2; h++)
        {
            var high = Vector256.Load(block + 128 + 32 * h);
            for (var quarter = 0; quarter < 4; quarter++)
            {
                var packed = Vector256.Load(block + 64 * h + 32 * (quarter % 2));
                var low4 = (packed.AsUInt16() >> (4 * (quarter / 2))).AsByte() & low;
                var high2 = (high.AsUInt16() >> (2 * quarter)).AsByte() & Vector256.Create((byte)3);
                var q = low4 | (high2.AsUInt16() << 4).AsByte();
                var group = 8 * h + 2 * quarter;
                var groupScales = Vector256.Create(Vector128.Create((short)scales[group]), Vector128.Create((short)scales[group + 1]));
                var pairs = Avx2.MultiplyAddAdjacent(q, Vector256.Load(aq + 128 * h + 32 * quarter));
                acc += Avx2.MultiplyAddAdjacent(pairs, groupScales);
            }
        }
        return Vector256.Sum(acc) - 32 * ScaledSums(scales, x);
    }

    private static int Q6SumScalar(byte* block, byte* x)
    {
        var aq = (sbyte*)(x + ActivationQuants);
        var scales = (sbyte*)(block + 192);
        var sumi = 0;
        for (var g = 0; g < 16; g++)
        {
            var sum = 0;
            for (var i = 16 * g; i < 16 * g + 16; i++)
            {
                var (h, quarter, l) = (i / 128, i % 128 / 32, i % 32);
                var low4 = (block[64 * h + 32 * (quarter % 2) + l] >> (4 * (quarter / 2))) & 0x0F;
                var high2 = (block[128 + 32 * h + l] >> (2 * quarter)) & 3;
                sum += (low4 | high2 << 4) * aq[i];
            }
            sumi += scales[g] * sum;
        }
        return sumi - 32 * ScaledSums(scales, x);
    }

    /// <summary>Σ_g scale_g · Σ_{i in g} a_i over the 16 groups of 16, from the Q8_K block's cached sums.</summary>
    private static int ScaledSums(sbyte* scales, byte* x)
    {
        var sums = (short*)(x + ActivationSums);
        var total = 0;
        for (var g = 0; g < 16; g++)
            total += scales[g] * sums[g];
        return total;
    }
}
