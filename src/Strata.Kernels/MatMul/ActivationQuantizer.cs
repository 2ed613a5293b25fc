using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// Quantizes activation rows the way ggml's x86 CPU backend does before a quantized dot product. For Q8_0 and
/// Q8_1 that differs from the reference quantizer used for weights: the inverse scale is 127/amax (not 1/d) and
/// halves round to even. Matching it keeps our logits within float noise of llama.cpp's.
/// </summary>
public static unsafe class ActivationQuantizer
{
    private const int Block = 32;

    /// <summary>Quantizes <paramref name="x"/> into <paramref name="destination"/> in <paramref name="type"/>'s block layout.</summary>
    public static void QuantizeRow(TensorType type, ReadOnlySpan<float> x, Span<byte> destination)
    {
        switch (type)
        {
            case TensorType.Q8_0:
                // block: fp16 d, int8 qs[32]
                for (var b = 0; b < x.Length / Block; b++)
                    QuantizeBlock(x.Slice(b * Block, Block), destination.Slice(b * 34, 34), scaleBytes: 2, withSum: false);
                break;
            case TensorType.Q8_1:
                // block: fp16 d, fp16 s = d·Σqs, int8 qs[32]
                for (var b = 0; b < x.Length / Block; b++)
                    QuantizeBlock(x.Slice(b * Block, Block), destination.Slice(b * 36, 36), scaleBytes: 4, withSum: true);
                break;
            default:
                Quantizer.QuantizeRow(type, x, destination);
                break;
        }
    }

    /// <summary>
    /// The Q8_0 quantization of <see cref="QuantizeRow"/> split for the SIMD kernels: x is float[n], quants sbyte[n],
    /// and per block of 32, scales[n / 32] the fp16 scale widened back to float and sums[n / 32] the sum of the quants.
    /// </summary>
    public static void QuantizeQ8_0(float* x, int n, sbyte* quants, float* scales, int* sums, SimdLevel level)
    {
        for (var b = 0; b < n / Block; b++)
        {
            var source = x + b * Block;
            var amax = level switch
            {
                SimdLevel.Avx512 => MaxAbs512(source),
                SimdLevel.Avx2 => MaxAbs256(source),
                _ => MaxAbsScalar(source),
            };
            var inverse = amax != 0 ? 127f / amax : 0f;
            scales[b] = (float)(Half)(amax / 127f);
            sums[b] = level switch
            {
                SimdLevel.Avx512 => Round512(source, inverse, quants + b * Block),
                SimdLevel.Avx2 => Round256(source, inverse, quants + b * Block),
                _ => RoundScalar(source, inverse, quants + b * Block),
            };
        }
    }

    /// <summary>
    /// ggml's <c>quantize_row_q8_K_ref</c> (which its x86 backend uses for activations) split for the K-quant kernels:
    /// x is float[n] (n a multiple of 256), quants sbyte[n], scales float[n / 256], groupSums short[n / 16] and
    /// pairSums int[n / 256 * 4] (see <see cref="QuantizedActivations.PairSums"/>).
    /// </summary>
    public static void QuantizeQ8_K(float* x, int n, sbyte* quants, float* scales, short* groupSums, int* pairSums, SimdLevel level)
    {
        const int superBlock = TensorTypeInfo.SuperBlock;
        const int groups = superBlock / 16;
        for (var b = 0; b < n / superBlock; b++)
        {
            var source = x + b * superBlock;
            var q = quants + b * superBlock;
            var sums = groupSums + b * groups;
            // ggml takes the first value of largest magnitude, sign included.
            var max = level switch
            {
                SimdLevel.Avx512 => SignedMax512(source),
                SimdLevel.Avx2 => SignedMax256(source),
                _ => SignedMaxScalar(source),
            };
            if (max == 0)
            {
                new Span<sbyte>(q, superBlock).Clear();
                new Span<short>(sums, groups).Clear();
                new Span<int>(pairSums + 4 * b, 4).Clear();
                scales[b] = 0;
                continue;
            }
            var inverse = -127f / max;
            scales[b] = 1 / inverse;
            for (var g = 0; g < groups; g++)
            {
                sums[g] = level switch
                {
                    SimdLevel.Avx512 => RoundK512(source + 16 * g, inverse, q + 16 * g),
                    SimdLevel.Avx2 => RoundK256(source + 16 * g, inverse, q + 16 * g),
                    _ => RoundKScalar(source + 16 * g, inverse, q + 16 * g),
                };
            }
            // Sums of the eight groups of 32, paired as the kernels unpack their mins: (0, 2), (1, 3), (4, 6), (5, 7).
            for (var p = 0; p < 4; p++)
            {
                var first = 2 * p - p % 2;
                var low = sums[2 * first] + sums[2 * first + 1];
                var high = sums[2 * first + 4] + sums[2 * first + 5];
                pairSums[4 * b + p] = (ushort)low | high << 16;
            }
        }
    }

    private static float SignedMax512(float* x)
    {
        var m = Vector512<float>.Zero;
        for (var i = 0; i < TensorTypeInfo.SuperBlock; i += 16)
            m = Vector512.Max(m, Vector512.Abs(Vector512.Load(x + i)));
        var amax = Vector512.Create(MaxLane(Vector256.Max(m.GetLower(), m.GetUpper())));
        for (var i = 0; ; i += 16)
        {
            var hits = Vector512.Equals(Vector512.Abs(Vector512.Load(x + i)), amax).ExtractMostSignificantBits();
            if (hits != 0)
                return x[i + BitOperations.TrailingZeroCount(hits)];
        }
    }

    private static float SignedMax256(float* x)
    {
        var m = Vector256<float>.Zero;
        for (var i = 0; i < TensorTypeInfo.SuperBlock; i += 8)
            m = Vector256.Max(m, Vector256.Abs(Vector256.Load(x + i)));
        var amax = Vector256.Create(MaxLane(m));
        for (var i = 0; ; i += 8)
        {
            var hits = Vector256.Equals(Vector256.Abs(Vector256.Load(x + i)), amax).ExtractMostSignificantBits();
            if (hits != 0)
                return x[i + BitOperations.TrailingZeroCount(hits)];
        }
    }

    private static float MaxLane(Vector256<float> m)
    {
        var m4 = Vector128.Max(m.GetLower(), m.GetUpper());
        return MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
    }

    private static float SignedMaxScalar(float* x)
    {
        var amax = 0f;
        var max = 0f;
        for (var i = 0; i < TensorTypeInfo.SuperBlock; i++)
        {
            if (MathF.Abs(x[i]) > amax)
            {
                amax = MathF.Abs(x[i]);
                max = x[i];
            }
        }
        return max;
    }

    // min(127, round-half-even(inverse · x)) for 16 values, as ggml's nearest_int; returns their sum.
    private static short RoundK512(float* x, float inverse, sbyte* q)
    {
        var v = Vector512.Min(Avx512F.ConvertToVector512Int32(Vector512.Load(x) * inverse), Vector512.Create(127));
        Avx512F.ConvertToVector128SByte(v).Store(q);
        return (short)Vector512.Sum(v);
    }

    private static short RoundK256(float* x, float inverse, sbyte* q)
    {
        var v0 = Vector256.Min(Avx.ConvertToVector256Int32(Vector256.Load(x) * inverse), Vector256.Create(127));
        var v1 = Vector256.Min(Avx.ConvertToVector256Int32(Vector256.Load(x + 8) * inverse), Vector256.Create(127));
        var words = Avx2.PackSignedSaturate(v0, v1);
        var bytes = Avx2.PackSignedSaturate(words, words);
        // Packing works within 128-bit halves: bytes 0-3 and 16-19 hold v0, 4-7 and 20-23 v1.
        Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 0, 0, 0, 0)).AsSByte().GetLower().Store(q);
        return (short)Vector256.Sum(v0 + v1);
    }

    private static short RoundKScalar(float* x, float inverse, sbyte* q)
    {
        var sum = 0;
        for (var i = 0; i < 16; i++)
        {
            q[i] = (sbyte)Math.Min(127, (int)MathF.Round(inverse * x[i]));
            sum += q[i];
        }
        return (short)sum;
    }

    private static float MaxAbs512(float* x)
    {
        var m = Vector512.Max(Vector512.Abs(Vector512.Load(x)), Vector512.Abs(Vector512.Load(x + 16)));
        var m8 = Vector256.Max(m.GetLower(), m.GetUpper());
        var m4 = Vector128.Max(m8.GetLower(), m8.GetUpper());
        return MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
    }

    private static float MaxAbs256(float* x)
    {
        var m8 = Vector256.Max(Vector256.Max(Vector256.Abs(Vector256.Load(x)), Vector256.Abs(Vector256.Load(x + 8))),
            Vector256.Max(Vector256.Abs(Vector256.Load(x + 16)), Vector256.Abs(Vector256.Load(x + 24))));
        var m4 = Vector128.Max(m8.GetLower(), m8.GetUpper());
        return MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
    }

    private static float MaxAbsScalar(float* x)
    {
        var amax = 0f;
        for (var i = 0; i < Block; i++)
            amax = MathF.Max(amax, MathF.Abs(x[i]));
        return amax;
    }

    // Converting with the default MXCSR mode rounds halves to even, as _mm256_round_ps(_MM_ROUND_NEAREST) does.
    private static int Round512(float* x, float inverse, sbyte* q)
    {
        var q0 = Avx512F.ConvertToVector512Int32(Vector512.Load(x) * inverse);
        var q1 = Avx512F.ConvertToVector512Int32(Vector512.Load(x + 16) * inverse);
        Avx512F.ConvertToVector128SByte(q0).Store(q);
        Avx512F.ConvertToVector128SByte(q1).Store(q + 16);
        return Vector512.Sum(q0 + q1);
    }

    private static int Round256(float* x, float inverse, sbyte* q)
    {
        var q0 = Avx.ConvertToVector256Int32(Vector256.Load(x) * inverse);
        var q1 = Avx.ConvertToVector256Int32(Vector256.Load(x + 8) * inverse);
        var q2 = Avx.ConvertToVector256Int32(Vector256.Load(x + 16) * inverse);
        var q3 = Avx.ConvertToVector256Int32(Vector256.Load(x + 24) * inverse);
        // Packing works within 128-bit halves; the final permute puts the four groups back in order.
        var packed = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(q0, q1), Avx2.PackSignedSaturate(q2, q3));
        Avx2.PermuteVar8x32(packed.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte().Store(q);
        return Vector256.Sum((q0 + q1) + (q2 + q3));
    }

    private static int RoundScalar(float* x, float inverse, sbyte* q)
    {
        var sum = 0;
        for (var i = 0; i < Block; i++)
        {
            var v = (int)MathF.Round(x[i] * inverse);
            q[i] = (sbyte)v;
            sum += v;
        }
        return sum;
    }

    private static void QuantizeBlock(ReadOnlySpan<float> x, Span<byte> block, int scaleBytes, bool withSum)
    {
        var amax = 0f;
        foreach (var v in x)
            amax = MathF.Max(amax, MathF.Abs(v));
        var d = amax / 127f;
        var inverse = amax != 0 ? 127f / amax : 0f;
        var sum = 0;
        for (var i = 0; i < Block; i++)
        {
            var q = (int)MathF.Round(x[i] * inverse);
            sum += q;
            block[scaleBytes + i] = (byte)(sbyte)q;
        }
        WriteHalf(block, d);
        if (withSum)
            WriteHalf(block[2..], d * sum);
    }

    private static void WriteHalf(Span<byte> destination, float value) =>
        System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value);
}
