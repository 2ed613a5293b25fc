using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>
/// ggml's x86 K-quant dot products written plainly from the GGUF blocks, one output at a time: the orders the repacked
/// kernels must reproduce bit for bit. Q2_K and Q4_K follow the repacked q2_K_8x8 and q4_K_8x8 GEMVs (a float sum per super-block for the
/// scales and one for the mins, subtracted at the end); Q3_K, Q5_K and Q6_K follow the AVX2 vec_dot (eight integer lanes,
/// lane l taking the quants with (i mod 32) / 4 = l, hsum_float_8 at the end; Q5_K adds its mins as one float).
/// </summary>
internal static class X86KQuantReference
{
    private const int SuperBlock = 256;

    /// <summary>weights: one row of Q4_K, Q5_K or Q6_K blocks; activations: the same length of Q8_K blocks.</summary>
    public static float Dot(TensorType type, ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations)
    {
        var blocks = activations.Length / Q8_KBlock.Bytes;
        return type switch
        {
            TensorType.Q2_K => Q2_K(weights, activations, blocks),
            TensorType.Q3_K => Q3_K(weights, activations, blocks),
            TensorType.Q4_K => Q4_K(weights, activations, blocks),
            TensorType.Q5_K => Q5_K(weights, activations, blocks),
            TensorType.Q6_K => Q6_K(weights, activations, blocks),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    private static float Q2_K(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        float acc = 0, accMin = 0;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Q2_KBlock.Bytes, Q2_KBlock.Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            int sumi = 0, summ = 0;
            for (var g = 0; g < 16; g++)
            {
                var sum = 0;
                for (var i = 16 * g; i < 16 * g + 16; i++)
                    sum += Q2_KBlock.Crumb(w.Slice(16, 64), i) * Q8_KBlock.Quants(a)[i];
                sumi += (w[g] & 0xF) * sum;
                summ += (w[g] >> 4) * Q8_KBlock.GroupSum(a, g);
            }
            var da = Q8_KBlock.Scale(a);
            acc = MathF.FusedMultiplyAdd(sumi, Fp16.Read(w[80..]) * da, acc);
            accMin = MathF.FusedMultiplyAdd(summ, Fp16.Read(w[82..]) * da, accMin);
        }
        return acc - accMin;
    }

    private static float Q3_K(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<float> acc = stackalloc float[8];
        Span<int> lanes = stackalloc int[8];
        acc.Clear();
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Q3_KBlock.Bytes, Q3_KBlock.Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            lanes.Clear();
            for (var i = 0; i < SuperBlock; i++)
            {
                var (h, s, l) = (i / 128, i % 128 / 32, i % 32);
                var low2 = (w[32 + 32 * h + l] >> (2 * s)) & 3;
                var offset = ((w[l] >> (4 * h + s)) & 1) == 0 ? 4 : 0;
                lanes[l / 4] += Q3_KBlock.GroupScale(w.Slice(96, 12), i / 16) * ((low2 - offset) * Q8_KBlock.Quants(a)[i]);
            }
            var d = Q8_KBlock.Scale(a) * Fp16.Read(w[108..]);
            for (var l = 0; l < 8; l++)
                acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
        }
        return HorizontalSum(acc);
    }

    private static float Q4_K(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        float acc = 0, accMin = 0;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Q4_KBlock.Bytes, Q4_KBlock.Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            int sumi = 0, summ = 0;
            for (var g = 0; g < 8; g++)
            {
                var (scale, min) = KScaleMins.Unpack(w.Slice(4, 12), g);
                var sum = 0;
                for (var l = 0; l < 32; l++)
                    sum += ((w[16 + 32 * (g / 2) + l] >> (4 * (g % 2))) & 0xF) * Q8_KBlock.Quants(a)[32 * g + l];
                sumi += scale * sum;
                summ += min * (Q8_KBlock.GroupSum(a, 2 * g) + Q8_KBlock.GroupSum(a, 2 * g + 1));
            }
            var da = Q8_KBlock.Scale(a);
            acc = MathF.FusedMultiplyAdd(sumi, Fp16.Read(w) * da, acc);
            accMin = MathF.FusedMultiplyAdd(summ, Fp16.Read(w[2..]) * da, accMin);
        }
        return acc - accMin;
    }

    private static float Q5_K(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<float> acc = stackalloc float[8];
        Span<int> lanes = stackalloc int[8];
        acc.Clear();
        var mins = 0f;
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Q5_KBlock.Bytes, Q5_KBlock.Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            lanes.Clear();
            var summ = 0;
            for (var g = 0; g < 8; g++)
            {
                var (scale, min) = KScaleMins.Unpack(w.Slice(4, 12), g);
                for (var l = 0; l < 32; l++)
                {
                    var q = ((w[48 + 32 * (g / 2) + l] >> (4 * (g % 2))) & 0xF) | ((w[16 + l] >> g) & 1) << 4;
                    lanes[l / 4] += scale * (q * Q8_KBlock.Quants(a)[32 * g + l]);
                }
                summ += min * (Q8_KBlock.GroupSum(a, 2 * g) + Q8_KBlock.GroupSum(a, 2 * g + 1));
            }
            var da = Q8_KBlock.Scale(a);
            mins = MathF.FusedMultiplyAdd(-da * Fp16.Read(w[2..]), summ, mins);
            var d = da * Fp16.Read(w);
            for (var l = 0; l < 8; l++)
                acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
        }
        return HorizontalSum(acc) + mins;
    }

    private static float Q6_K(ReadOnlySpan<byte> weights, ReadOnlySpan<byte> activations, int blocks)
    {
        Span<float> acc = stackalloc float[8];
        Span<int> lanes = stackalloc int[8];
        acc.Clear();
        for (var b = 0; b < blocks; b++)
        {
            var w = weights.Slice(b * Q6_KBlock.Bytes, Q6_KBlock.Bytes);
            var a = activations.Slice(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes);
            lanes.Clear();
            for (var i = 0; i < SuperBlock; i++)
            {
                var (h, quarter, l) = (i / 128, i % 128 / 32, i % 32);
                var low4 = (w[64 * h + 32 * (quarter % 2) + l] >> (4 * (quarter / 2))) & 0xF;
                var high2 = (w[128 + 32 * h + l] >> (2 * quarter)) & 3;
                lanes[l / 4] += (sbyte)w[192 + i / 16] * ((low4 | high2 << 4) * Q8_KBlock.Quants(a)[i]);
            }
            for (var l = 0; l < 8; l++)
                lanes[l] -= 32 * ((sbyte)w[192 + 2 * l] * Q8_KBlock.GroupSum(a, 2 * l) + (sbyte)w[193 + 2 * l] * Q8_KBlock.GroupSum(a, 2 * l + 1));
            var d = Q8_KBlock.Scale(a) * Fp16.Read(w[208..]);
            for (var l = 0; l < 8; l++)
                acc[l] = MathF.FusedMultiplyAdd(d, lanes[l], acc[l]);
        }
        return HorizontalSum(acc);
    }

    /// <summary>ggml's hsum_float_8.</summary>
    private static float HorizontalSum(ReadOnlySpan<float> v) => ((v[4] + v[0]) + (v[6] + v[2])) + ((v[5] + v[1]) + (v[7] + v[3]));
}
