using Strata.Kernels.Attention;
using Strata.Kernels.MatMul;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Tests.Quant;

namespace Strata.Kernels.Tests.Attention;

/// <summary>
/// Attention over a quantized cache against ggml's flash attention for quantized K and V, written plainly
/// (<see cref="GgmlOneChunk"/>): bit for bit at every SIMD level, for prompt tiles and decode tokens.
/// </summary>
public sealed unsafe class QuantizedAttentionTests
{
    [Theory]
    [InlineData(TensorType.Q8_0, 64, 4, 16)]
    [InlineData(TensorType.Q4_0, 64, 4, 16)]
    [InlineData(TensorType.Q8_0, 128, 2, 16)]
    [InlineData(TensorType.Q4_0, 96, 3, 7)]
    [InlineData(TensorType.Q8_0, 32, 1, 32)]
    public void AccumulateQuantized_PromptTileAndDecode_EqualsGgmlOrderAtEveryLevel(TensorType type, int headDim, int heads, int blockSize)
    {
        const int keys = 75;
        var random = new Random(headDim + heads + (int)type);
        var q = QuantTestData.Gaussian(random, 8 * heads * headDim, 2f);
        var k = QuantTestData.Gaussian(random, keys * headDim);
        var v = QuantTestData.Gaussian(random, keys * headDim);
        var rowBytes = QuantizedKv.RowBytes(type, headDim);
        var kRows = new byte[keys * rowBytes];
        var vRows = new byte[keys * rowBytes];
        for (var j = 0; j < keys; j++)
        {
            QuantizedKv.Store(type, k.AsSpan(j * headDim, headDim), kRows.AsSpan(j * rowBytes, rowBytes));
            QuantizedKv.Store(type, v.AsSpan(j * headDim, headDim), vRows.AsSpan(j * rowBytes, rowBytes));
        }
        var prompt = Enumerable.Range(67, 8).Select(p => new KeyRange(0, p)).ToArray();
        var decode = new[] { new KeyRange(0, keys - 1) };
        foreach (var ranges in new[] { prompt, decode })
        {
            var expected = GgmlOneChunk(type, q, kRows, vRows, ranges, heads, headDim);
            foreach (var level in SimdSupport.Supported)
            {
                var actual = Tiled(type, q, kRows, vRows, ranges, heads, headDim, blockSize, level);
                for (var i = 0; i < expected.Length; i++)
                {
                    Assert.True(BitConverter.SingleToUInt32Bits(expected[i]) == BitConverter.SingleToUInt32Bits(actual[i]),
                        $"{type} {level} element {i}: {actual[i]:R}, ggml's order gives {expected[i]:R}");
                }
            }
        }
    }

    /// <summary>What AttentionJob does for one tile and KV head over a quantized cache.</summary>
    private static float[] Tiled(TensorType type, float[] q, byte[] kRows, byte[] vRows, KeyRange[] ranges, int heads, int headDim, int blockSize, SimdLevel level)
    {
        var tokens = ranges.Length;
        var rows = tokens * heads;
        var rowBytes = QuantizedKv.RowBytes(type, headDim);
        var queries = q.AsSpan(0, rows * headDim).ToArray();
        var queryQuants = new sbyte[rows * headDim];
        var queryScales = new float[rows * headDim / 32];
        var keyQuants = new sbyte[Q8_0Keys.QuantBytes(blockSize, headDim)];
        var keyScales = new float[Q8_0Keys.ScaleCount(blockSize, headDim)];
        var values = new float[blockSize * headDim];
        var max = new float[rows];
        var sum = new float[rows];
        var acc = new float[rows * headDim];
        var scratch = new float[OnlineSoftmaxAttention.ScratchLength(rows)];
        var relative = new KeyRange[tokens];
        var output = new float[rows * headDim];
        var spanFirst = ranges.Min(r => r.First);
        var spanLast = ranges.Max(r => r.Last);
        fixed (float* pq = queries, pqs = queryScales, pks = keyScales, pv = values, pm = max, ps = sum, pa = acc, pscratch = scratch, po = output)
        fixed (sbyte* pqq = queryQuants, pkq = keyQuants)
        fixed (byte* pkRows = kRows, pvRows = vRows)
        fixed (KeyRange* pr = relative)
        {
            var quantized = new Q8_0Queries(pqq, pqs);
            var keyBlock = new Q8_0Keys(pkq, pks);
            OnlineSoftmaxAttention.BeginQuantized(pq, rows, headDim, quantized, 0, pm, ps, pa, level);
            for (var blockStart = spanFirst / blockSize * blockSize; blockStart <= spanLast; blockStart += blockSize)
            {
                var from = Math.Max(spanFirst, blockStart);
                var to = Math.Min(spanLast, blockStart + blockSize - 1);
                var count = to - from + 1;
                for (var t = 0; t < tokens; t++)
                    relative[t] = new KeyRange(ranges[t].First - from, ranges[t].Last - from);
                QuantizedKv.UnpackKeys(type, pkRows + from * rowBytes, rowBytes, count, headDim, keyBlock);
                QuantizedKv.Dequantize(type, pvRows + from * rowBytes, rowBytes, count, headDim, pv, level);
                OnlineSoftmaxAttention.AccumulateQuantized(quantized, tokens, heads, pr, keyBlock, pv, count, headDim,
                    1 / MathF.Sqrt(headDim), pm, ps, pa, pscratch, level);
            }
            OnlineSoftmaxAttention.End(ps, pa, rows, headDim, po);
        }
        return output;
    }

    /// <summary>
    /// ggml_compute_forward_flash_attn_ext_f16_one_chunk for quantized K and V, one query row at a time: the query
    /// quantized to Q8_0 (x86 numerics), s = vec_dot_q8_0_q8_0(k, q)·scale in the AVX2 lane order, the online
    /// softmax with expf, V dequantized and summed in float, and the sum's inverse applied at the end.
    /// </summary>
    private static float[] GgmlOneChunk(TensorType type, float[] q, byte[] kRows, byte[] vRows, KeyRange[] ranges, int heads, int headDim)
    {
        var rowBytes = QuantizedKv.RowBytes(type, headDim);
        var blocks = headDim / 32;
        var output = new float[ranges.Length * heads * headDim];
        var scale = 1 / MathF.Sqrt(headDim);
        var v32 = new float[headDim];
        for (var row = 0; row < ranges.Length * heads; row++)
        {
            var queryBlocks = new byte[blocks * 34];
            ActivationQuantizer.QuantizeRow(TensorType.Q8_0, q.AsSpan(row * headDim, headDim), queryBlocks);
            var keyValues = new float[headDim];
            float m = float.NegativeInfinity, s = 0;
            var acc = new float[headDim];
            var (first, last) = ranges[row / heads];
            for (var j = first; j <= last; j++)
            {
                var lanes = new float[8];
                for (var b = 0; b < blocks; b++)
                {
                    var keyBlock = kRows.AsSpan(j * rowBytes + b * (rowBytes / blocks), rowBytes / blocks);
                    var queryBlock = queryBlocks.AsSpan(b * 34, 34);
                    var d = Fp16.Read(keyBlock) * Fp16.Read(queryBlock);
                    for (var l = 0; l < 8; l++)
                    {
                        var sum = 0;
                        for (var i = 4 * l; i < 4 * l + 4; i++)
                            sum += KeyQuant(type, keyBlock, i) * (sbyte)queryBlock[2 + i];
                        lanes[l] = MathF.FusedMultiplyAdd(d, sum, lanes[l]);
                    }
                }
                var score = (((lanes[4] + lanes[0]) + (lanes[6] + lanes[2])) + ((lanes[5] + lanes[1]) + (lanes[7] + lanes[3]))) * scale;
                float ms = 1, vs = 1;
                if (score > m)
                {
                    var old = m;
                    m = score;
                    ms = MathF.Exp(old - m);
                    for (var i = 0; i < headDim; i++)
                        acc[i] *= ms;
                }
                else
                {
                    vs = MathF.Exp(score - m);
                }
                Dequantizer.DequantizeRow(type, vRows.AsSpan(j * rowBytes, rowBytes), v32);
                for (var i = 0; i < headDim; i++)
                    acc[i] = MathF.FusedMultiplyAdd(v32[i], vs, acc[i]);
                s = MathF.FusedMultiplyAdd(s, ms, vs); // GCC contracts ggml's S = S*ms + vs
            }
            var inverse = s == 0 ? 0 : 1 / s;
            for (var i = 0; i < headDim; i++)
                output[row * headDim + i] = acc[i] * inverse;
        }
        return output;
    }

    private static int KeyQuant(TensorType type, ReadOnlySpan<byte> block, int i) =>
        type == TensorType.Q8_0 ? (sbyte)block[2 + i] : ((block[2 + i % 16] >> (4 * (i / 16))) & 0x0F) - 8;
}
