using Strata.Kernels.Ops;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.Ops;

public sealed unsafe class HadamardTests
{
    [Theory]
    [InlineData(64, 64)]
    [InlineData(128, 128)]
    [InlineData(64, 256)]
    [InlineData(16, 48)]
    public void Rotate_EveryLevel_EqualsScaledButterfliesInGgmlsOrder(int n, int length)
    {
        var x = QuantTestData.Gaussian(new Random(n + length), length);
        var expected = x.ToArray();
        var scale = 1f / MathF.Sqrt(n);
        for (var c = 0; c < length; c += n)
        {
            for (var i = c; i < c + n; i++)
                expected[i] *= scale;
            for (var len = 1; len < n; len <<= 1)
            {
                for (var i = c; i < c + n; i += 2 * len)
                {
                    for (var j = i; j < i + len; j++)
                        (expected[j], expected[j + len]) = (expected[j] + expected[j + len], expected[j] - expected[j + len]);
                }
            }
        }
        foreach (var level in SimdSupport.Supported)
        {
            var actual = x.ToArray();
            fixed (float* p = actual)
                Hadamard.Rotate(p, length, n, level);
            Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), actual.Select(BitConverter.SingleToUInt32Bits));
        }
    }

    [Fact]
    public void Rotate_Twice_GivesBackTheInputAndKeepsDotProducts()
    {
        var random = new Random(3);
        var a = QuantTestData.Gaussian(random, 128);
        var b = QuantTestData.Gaussian(random, 128);
        var ra = a.ToArray();
        var rb = b.ToArray();
        fixed (float* pa = ra, pb = rb)
        {
            Hadamard.Rotate(pa, 128, 64, SimdSupport.Level);
            Hadamard.Rotate(pb, 128, 64, SimdSupport.Level);
            Assert.Equal(a.Zip(b, (x, y) => (double)x * y).Sum(), ra.Zip(rb, (x, y) => (double)x * y).Sum(), 1e-4);
            Hadamard.Rotate(pa, 128, 64, SimdSupport.Level);
        }
        for (var i = 0; i < a.Length; i++)
            Assert.Equal(a[i], ra[i], 1e-5f);
    }

    [Fact]
    public void Rotate_ChunkNotAPowerOfTwo_Throws()
    {
        var x = new float[96];
        Assert.Throws<ArgumentException>(() => { fixed (float* p = x) Hadamard.Rotate(p, 96, 96, SimdLevel.Scalar); });
    }
}
