using BenchmarkDotNet.Attributes;
using Strata.Kernels.Attention;
using Strata.Kernels.Memory;
using Strata.Kernels.Simd;

namespace Strata.Benchmarks;

/// <summary>
/// One decode step of attention for one KV head of a 1B model (4 query heads of 64, F16 cache semantics) over 512
/// cached positions in blocks of 16: what AttentionJob does per (token, KV head) after the cache is widened.
/// </summary>
public unsafe class AttentionBenchmarks
{
    private const int Heads = 4;
    private const int HeadDim = 64;
    private const int Keys = 512;
    private const int Block = 16;

    private NativeBuffer<float> _queries = null!;
    private NativeBuffer<float> _keys = null!;
    private NativeBuffer<float> _values = null!;
    private NativeBuffer<float> _state = null!;

    [Params(SimdLevel.Avx512, SimdLevel.Avx2)]
    public SimdLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _queries = new NativeBuffer<float>(Heads * HeadDim);
        _keys = new NativeBuffer<float>(Keys * HeadDim);
        _values = new NativeBuffer<float>(Keys * HeadDim);
        _state = new NativeBuffer<float>(2 * Heads + 2 * Heads * HeadDim + 3 * Heads * Block);
        foreach (var buffer in new[] { _queries, _keys, _values })
        {
            for (var i = 0; i < buffer.Length; i++)
                buffer.Pointer[i] = random.NextSingle() - 0.5f;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _queries.Dispose();
        _keys.Dispose();
        _values.Dispose();
        _state.Dispose();
    }

    [Benchmark]
    public void DecodeStep512()
    {
        var max = _state.Pointer;
        var sum = max + Heads;
        var accumulator = sum + Heads;
        var output = accumulator + Heads * HeadDim;
        var scores = output + Heads * HeadDim;
        OnlineSoftmaxAttention.Begin(_queries.Pointer, Heads, HeadDim, true, max, sum, accumulator, Level);
        for (var start = 0; start < Keys; start += Block)
        {
            OnlineSoftmaxAttention.Accumulate(_queries.Pointer, _keys.Pointer + start * HeadDim, _values.Pointer + start * HeadDim, Block,
                Heads, HeadDim, 0.125f, true, max, sum, accumulator, scores, Level);
        }
        OnlineSoftmaxAttention.End(sum, accumulator, Heads, HeadDim, output);
    }
}
