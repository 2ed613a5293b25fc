using Strata.Kernels.Attention;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.Attention;

/// <summary>
/// The tiled kernel against the per-key kernel it replaced: every query row of a tile, at every SIMD level, must
/// come out bit for bit as the old kernel computed it for that token alone, walking the same blocks.
/// </summary>
public sealed unsafe class TiledAttentionTests
{
    public static TheoryData<int, bool, int, float> Shapes()
    {
        var data = new TheoryData<int, bool, int, float>();
        foreach (var headDim in new[] { 8, 16, 32, 48, 64, 80, 128 })
        {
            foreach (var half in new[] { true, false })
            {
                data.Add(headDim, half, 16, 1f);
                data.Add(headDim, half, 7, 1f);
            }
        }
        // Wide score ranges: many new maxima, and exponent arguments below −88 (glibc's special cases).
        data.Add(8, true, 16, 12f);
        data.Add(8, false, 16, 12f);
        data.Add(64, true, 16, 12f);
        data.Add(128, false, 40, 12f);
        data.Add(48, true, 16, 12f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Accumulate_PromptTile_EqualsPerKeyKernelForEachTokenAtEveryLevel(int headDim, bool half, int blockSize, float querySigma)
    {
        const int heads = 4, keys = 75;
        var random = new Random(headDim * 31 + blockSize);
        var q = QuantTestData.Gaussian(random, 8 * heads * headDim, querySigma);
        var k = QuantTestData.Gaussian(random, keys * headDim);
        var v = QuantTestData.Gaussian(random, keys * headDim);
        // Eight prompt tokens at positions 67..74: the last blocks are partly beyond some of them.
        var causal = Enumerable.Range(67, 8).Select(p => new KeyRange(0, p)).ToArray();
        var window = Enumerable.Range(67, 8).Select(p => new KeyRange(Math.Max(0, p - 29), p)).ToArray();
        foreach (var ranges in new[] { causal, window })
        {
            var expected = Reference(q, k, v, ranges, heads, headDim, blockSize, half);
            foreach (var level in SimdSupport.Supported)
                AssertBitsEqual(expected, Tiled(q, k, v, ranges, heads, headDim, blockSize, half, level), level);
        }
    }

    [Theory]
    [InlineData(64, true, 3)]
    [InlineData(128, false, 3)]
    [InlineData(8, true, 3)]
    [InlineData(8, true, 2)]
    [InlineData(8, false, 2)]
    [InlineData(32, true, 2)]
    [InlineData(64, true, 4)]
    [InlineData(128, false, 8)]
    [InlineData(128, true, 2)]
    public void Accumulate_OneDecodeToken_EqualsPerKeyKernelAtEveryLevel(int headDim, bool half, int heads)
    {
        const int keys = 300;
        var random = new Random(7);
        var q = QuantTestData.Gaussian(random, heads * headDim, 3f);
        var k = QuantTestData.Gaussian(random, keys * headDim);
        var v = QuantTestData.Gaussian(random, keys * headDim);
        var ranges = new[] { new KeyRange(0, keys - 1) };
        var expected = Reference(q, k, v, ranges, heads, headDim, 16, half);
        foreach (var level in SimdSupport.Supported)
            AssertBitsEqual(expected, Tiled(q, k, v, ranges, heads, headDim, 16, half, level), level);
    }

    [Fact]
    public void Accumulate_TokensInAnyOrderWithGaps_EqualPerKeyKernel()
    {
        const int heads = 2, headDim = 64, keys = 90;
        var random = new Random(11);
        var q = QuantTestData.Gaussian(random, 4 * heads * headDim, 2f);
        var k = QuantTestData.Gaussian(random, keys * headDim);
        var v = QuantTestData.Gaussian(random, keys * headDim);
        // A sliding window of 10 over tokens far apart: some blocks in the tile's span are read by nobody.
        var ranges = new[] { new KeyRange(80, 89), new KeyRange(3, 12), new KeyRange(40, 49), new KeyRange(0, 0) };
        var expected = Reference(q, k, v, ranges, heads, headDim, 16, half: true);
        foreach (var level in SimdSupport.Supported)
            AssertBitsEqual(expected, Tiled(q, k, v, ranges, heads, headDim, 16, half: true, level), level);
    }

    [Theory]
    [InlineData(true, 64)]
    [InlineData(false, 64)]
    [InlineData(true, 80)]
    [InlineData(false, 80)]
    [InlineData(true, 128)]
    public void Accumulate_EveryLevel_CloseToExactSoftmax(bool half, int headDim)
    {
        const int heads = 3, keys = 37;
        var random = new Random(5);
        var q = QuantTestData.Gaussian(random, heads * headDim);
        var k = QuantTestData.Gaussian(random, keys * headDim);
        var v = QuantTestData.Gaussian(random, keys * headDim);
        var scale = 1 / MathF.Sqrt(headDim);
        var output = Tiled(q, k, v, [new KeyRange(0, keys - 1)], heads, headDim, 16, half, SimdSupport.Best);
        var rounded = q.ToArray();
        if (half)
            Strata.Kernels.Ops.HalfRounding.Round(rounded, SimdLevel.Scalar);
        for (var h = 0; h < heads; h++)
        {
            var scores = Enumerable.Range(0, keys).Select(j => Enumerable.Range(0, headDim).Sum(i => (double)rounded[h * headDim + i] * k[j * headDim + i]) * scale).ToArray();
            var max = scores.Max();
            var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
            for (var i = 0; i < headDim; i++)
            {
                var exact = Enumerable.Range(0, keys).Sum(j => weights[j] * v[j * headDim + i]) / weights.Sum();
                Assert.True(Math.Abs(output[h * headDim + i] - exact) < (half ? 5e-3 : 1e-5), $"head {h} [{i}]: {output[h * headDim + i]} vs {exact}");
            }
        }
    }

    /// <summary>What AttentionJob does for one tile and KV head: the union of the tokens' keys, block by block.</summary>
    private static float[] Tiled(float[] q, float[] k, float[] v, KeyRange[] ranges, int heads, int headDim, int blockSize, bool half, SimdLevel level)
    {
        var tokens = ranges.Length;
        var rows = tokens * heads;
        var queries = q.AsSpan(0, rows * headDim).ToArray();
        var max = new float[rows];
        var sum = new float[rows];
        var acc = new float[rows * headDim];
        var scratch = new float[OnlineSoftmaxAttention.ScratchLength(rows)];
        var relative = new KeyRange[tokens];
        var output = new float[rows * headDim];
        var spanFirst = ranges.Min(r => r.First);
        var spanLast = ranges.Max(r => r.Last);
        fixed (float* pq = queries, pk = k, pv = v, pm = max, ps = sum, pa = acc, pscratch = scratch, po = output)
        fixed (KeyRange* pr = relative)
        {
            OnlineSoftmaxAttention.Begin(pq, rows, headDim, half, pm, ps, pa, level);
            for (var blockStart = spanFirst / blockSize * blockSize; blockStart <= spanLast; blockStart += blockSize)
            {
                var from = Math.Max(spanFirst, blockStart);
                var to = Math.Min(spanLast, blockStart + blockSize - 1);
                for (var t = 0; t < tokens; t++)
                    relative[t] = new KeyRange(ranges[t].First - from, ranges[t].Last - from);
                OnlineSoftmaxAttention.Accumulate(pq, tokens, heads, pr, pk + from * headDim, pv + from * headDim, to - from + 1, headDim,
                    1 / MathF.Sqrt(headDim), half, pm, ps, pa, pscratch, level);
            }
            OnlineSoftmaxAttention.End(ps, pa, rows, headDim, po);
        }
        return output;
    }

    /// <summary>The old kernel, one token at a time over its own keys, in blocks at the same boundaries.</summary>
    private static float[] Reference(float[] q, float[] k, float[] v, KeyRange[] ranges, int heads, int headDim, int blockSize, bool half)
    {
        var output = new float[ranges.Length * heads * headDim];
        for (var t = 0; t < ranges.Length; t++)
        {
            var queries = q.AsSpan(t * heads * headDim, heads * headDim).ToArray();
            var max = new float[heads];
            var sum = new float[heads];
            var acc = new float[heads * headDim];
            var scores = new float[3 * heads * blockSize];
            fixed (float* pq = queries, pk = k, pv = v, pm = max, ps = sum, pa = acc, pscores = scores, po = output)
            {
                PerKeyReferenceAttention.Begin(pq, heads, headDim, half, pm, ps, pa, SimdLevel.Scalar);
                var (first, last) = ranges[t];
                for (var blockStart = first / blockSize * blockSize; blockStart <= last; blockStart += blockSize)
                {
                    var from = Math.Max(first, blockStart);
                    var count = Math.Min(last, blockStart + blockSize - 1) - from + 1;
                    PerKeyReferenceAttention.Accumulate(pq, pk + from * headDim, pv + from * headDim, count, heads, headDim, 1 / MathF.Sqrt(headDim),
                        half, pm, ps, pa, pscores, SimdLevel.Scalar);
                }
                PerKeyReferenceAttention.End(ps, pa, heads, headDim, po + t * heads * headDim);
            }
        }
        return output;
    }

    private static void AssertBitsEqual(float[] expected, float[] actual, SimdLevel level)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToUInt32Bits(expected[i]) != BitConverter.SingleToUInt32Bits(actual[i]))
                Assert.Fail($"{level}: element {i} is {actual[i]:R}, the per-key kernel gave {expected[i]:R}");
        }
    }
}
