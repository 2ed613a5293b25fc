using BenchmarkDotNet.Attributes;
using Strata.Kernels.Attention;
using Strata.Kernels.Memory;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Benchmarks;

/// <summary>
/// Attention for one KV head of a 1B model (4 query heads of 64) over an F16 cache in blocks of 16, as AttentionJob
/// runs it per work item, widening each block first: a decode token at depth 512, and a tile of 8 prompt tokens at
/// positions 504..511 (a prefill chunk at depth). Divide by 4 · 512 (decode) or 4 · 8 · 508 (tile) for the time per
/// key and query head.
/// </summary>
public unsafe class AttentionBenchmarks
{
    private const int Heads = 4;
    private const int HeadDim = 64;
    private const int Keys = 512;
    private const int Block = 16;
    private const int TileTokens = 8;
    private const int Rows = TileTokens * Heads;

    private NativeBuffer<ushort> _keys = null!;
    private NativeBuffer<ushort> _values = null!;
    private NativeBuffer<float> _queries = null!;
    private NativeBuffer<float> _work = null!;
    private NativeBuffer<KeyRange> _ranges = null!;

    [Params(SimdLevel.Avx512, SimdLevel.Avx2)]
    public SimdLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _keys = new NativeBuffer<ushort>(Keys * HeadDim);
        _values = new NativeBuffer<ushort>(Keys * HeadDim);
        _queries = new NativeBuffer<float>(Rows * HeadDim);
        _work = new NativeBuffer<float>(2 * Block * HeadDim + 2 * Rows * HeadDim + 2 * Rows + OnlineSoftmaxAttention.ScratchLength(Rows));
        _ranges = new NativeBuffer<KeyRange>(TileTokens);
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys.Pointer[i] = BitConverter.HalfToUInt16Bits((Half)(random.NextSingle() - 0.5f));
            _values.Pointer[i] = BitConverter.HalfToUInt16Bits((Half)(random.NextSingle() - 0.5f));
        }
        for (var i = 0; i < _queries.Length; i++)
            _queries.Pointer[i] = random.NextSingle() - 0.5f;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _keys.Dispose();
        _values.Dispose();
        _queries.Dispose();
        _work.Dispose();
        _ranges.Dispose();
    }

    [Benchmark]
    public void DecodeToken() => Attend(tokens: 1, firstPosition: Keys - 1);

    [Benchmark]
    public void PrefillTile() => Attend(TileTokens, firstPosition: Keys - TileTokens);

    private void Attend(int tokens, int firstPosition)
    {
        var keys = _work.Pointer;
        var values = keys + Block * HeadDim;
        var queries = values + Block * HeadDim;
        var accumulator = queries + Rows * HeadDim;
        var max = accumulator + Rows * HeadDim;
        var sum = max + Rows;
        var scratch = sum + Rows;
        var rows = tokens * Heads;
        new Span<float>(_queries.Pointer, rows * HeadDim).CopyTo(new Span<float>(queries, rows * HeadDim));
        OnlineSoftmaxAttention.Begin(queries, rows, HeadDim, true, max, sum, accumulator, Level);
        var last = firstPosition + tokens - 1;
        for (var start = 0; start <= last; start += Block)
        {
            var count = Math.Min(Block, last - start + 1);
            HalfConversion.ToSingle(_keys.Pointer + start * HeadDim, keys, count * HeadDim, Level);
            HalfConversion.ToSingle(_values.Pointer + start * HeadDim, values, count * HeadDim, Level);
            for (var t = 0; t < tokens; t++)
                _ranges.Pointer[t] = new KeyRange(-start, firstPosition + t - start);
            OnlineSoftmaxAttention.Accumulate(queries, tokens, Heads, _ranges.Pointer, keys, values, count, HeadDim, 0.125f, true,
                max, sum, accumulator, scratch, Level);
        }
        OnlineSoftmaxAttention.End(sum, accumulator, rows, HeadDim, queries);
    }
}
