using Strata.Kernels.MatMul;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.Ops;

/// <summary>Every SIMD level of the element-wise kernels gives the same bits, and the right ones.</summary>
public sealed unsafe class SimdLevelAgreementTests
{
    [Fact]
    public void HalfConversion_EveryHalf_EqualsReferenceWideningAtEveryLevel()
    {
        var halves = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var expected = halves.Select(h => BitConverter.SingleToUInt32Bits(Fp16.ToSingle(h))).ToArray();
        foreach (var level in SimdSupport.Supported)
        {
            var actual = new float[halves.Length];
            fixed (ushort* source = halves)
            fixed (float* destination = actual)
                HalfConversion.ToSingle(source, destination, halves.Length, level);
            Assert.Equal(expected, actual.Select(BitConverter.SingleToUInt32Bits).ToArray());
        }
    }

    [Fact]
    public void HalfRounding_NormalAndSubnormalValues_EqualsConversionThroughHalf()
    {
        var random = new Random(1);
        var values = Enumerable.Range(0, 4000)
            .Select(i => (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-30, 16))))
            .Concat([0f, 6.1035156e-05f, 6.1035156e-05f * 0.999f, 5.96e-08f, 2.98e-08f, 65504f, -65504f, 1.0009766f, 1.00048828f])
            .ToArray();
        foreach (var level in SimdSupport.Supported)
        {
            var rounded = values.ToArray();
            HalfRounding.Round(rounded, level);
            for (var i = 0; i < values.Length; i++)
                Assert.True((float)(Half)values[i] == rounded[i], $"{level}: {values[i]:R} rounded to {rounded[i]:R}, half is {(float)(Half)values[i]:R}");
        }
    }

    [Fact]
    public void SwiGlu_WideRangeOfGates_SameBitsAtEveryLevel()
    {
        var random = new Random(2);
        var gate = QuantTestData.Gaussian(random, 203, sigma: 8f);
        gate[0] = 150f;
        gate[1] = -150f;
        gate[2] = 95f;
        gate[3] = -95f;
        var up = QuantTestData.Gaussian(random, 203);
        float[]? first = null;
        foreach (var level in SimdSupport.Supported)
        {
            var result = gate.ToArray();
            SwiGlu.Apply(result, up, level);
            first ??= result;
            Assert.Equal(first.Select(BitConverter.SingleToUInt32Bits), result.Select(BitConverter.SingleToUInt32Bits));
        }
        for (var i = 0; i < gate.Length; i++)
        {
            var exact = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
            Assert.True(Math.Abs(first![i] - exact) <= 1e-6 * Math.Abs(exact) + 1e-30, $"silu({gate[i]}) · {up[i]}: {first[i]} vs {exact}");
        }
    }

    [Fact]
    public void DotProduct_LengthsAroundVectorSizes_SameBitsAtEveryLevel()
    {
        var random = new Random(3);
        foreach (var n in new[] { 1, 15, 16, 17, 63, 64, 65, 80, 127, 128, 200 })
        {
            var x = QuantTestData.Gaussian(random, n);
            var y = QuantTestData.Gaussian(random, n);
            var exact = x.Zip(y, (a, b) => (double)a * b).Sum();
            var results = SimdSupport.Supported.Select(level => (DotProduct.Float(x, y, level), DotProduct.Widened(x, y, level))).ToArray();
            Assert.All(results, r => Assert.Equal(results[0], r));
            Assert.True(Math.Abs(results[0].Item1 - exact) < 1e-4, $"n={n}: {results[0].Item1} vs {exact}");
        }
    }

    [Fact]
    public void QuantizeQ8_0_EveryLevel_MatchesGgmlBlocks()
    {
        const int n = 160;
        var x = QuantTestData.Gaussian(new Random(4), n);
        x[5] = 0;
        Array.Clear(x, 64, 32); // an all-zero block
        var blocks = new byte[TensorTypeInfo.RowBytes(TensorType.Q8_0, n)];
        ActivationQuantizer.QuantizeRow(TensorType.Q8_0, x, blocks);
        foreach (var level in SimdSupport.Supported)
        {
            var quants = new sbyte[n];
            var scales = new float[n / 32];
            var sums = new int[n / 32];
            fixed (float* px = x)
            fixed (sbyte* q = quants)
            fixed (float* d = scales)
            fixed (int* s = sums)
                ActivationQuantizer.QuantizeQ8_0(px, n, q, d, s, level);
            for (var b = 0; b < n / 32; b++)
            {
                var block = blocks.AsSpan(b * 34, 34);
                Assert.Equal(Fp16.ToSingle(BitConverter.ToUInt16(block)), scales[b]);
                var expectedQuants = block[2..].ToArray().Select(v => (sbyte)v).ToArray();
                Assert.Equal(expectedQuants, quants.AsSpan(b * 32, 32).ToArray());
                Assert.Equal(expectedQuants.Sum(v => v), sums[b]);
            }
        }
    }

    [Fact]
    public void QuantizeQ8_K_EveryLevel_MatchesGgmlBlocks()
    {
        const int n = 1024;
        var x = QuantTestData.Gaussian(new Random(5), n);
        Array.Clear(x, 256, 256); // an all-zero super-block
        x[600] = 9f;              // the same magnitude twice: ggml keeps the first, so the scale is negative
        x[700] = -9f;
        x[800] = -7f;             // a largest value that is negative
        var blocks = new byte[TensorTypeInfo.RowBytes(TensorType.Q8_K, n)];
        ActivationQuantizer.QuantizeRow(TensorType.Q8_K, x, blocks);
        foreach (var level in SimdSupport.Supported)
        {
            var quants = new sbyte[n];
            var scales = new float[n / 256];
            var groupSums = new short[n / 16];
            var pairSums = new int[n / 256 * 4];
            fixed (float* px = x)
            fixed (sbyte* q = quants)
            fixed (float* d = scales)
            fixed (short* g = groupSums)
            fixed (int* p = pairSums)
                ActivationQuantizer.QuantizeQ8_K(px, n, q, d, g, p, level);
            for (var b = 0; b < n / 256; b++)
            {
                var block = blocks.AsSpan(b * Q8_KBlock.Bytes, Q8_KBlock.Bytes).ToArray();
                Assert.Equal(Q8_KBlock.Scale(block), scales[b]);
                Assert.Equal(Q8_KBlock.Quants(block).ToArray(), quants.AsSpan(b * 256, 256).ToArray());
                for (var i = 0; i < 16; i++)
                    Assert.Equal(Q8_KBlock.GroupSum(block, i), groupSums[16 * b + i]);
                int Sum32(int j) => Q8_KBlock.GroupSum(block, 2 * j) + Q8_KBlock.GroupSum(block, 2 * j + 1);
                Assert.Equal([Sum32(0), Sum32(2), Sum32(1), Sum32(3), Sum32(4), Sum32(6), Sum32(5), Sum32(7)],
                    pairSums.AsSpan(4 * b, 4).ToArray().SelectMany(v => new[] { (int)(short)v, v >> 16 }).ToArray());
            }
        }
    }
}
