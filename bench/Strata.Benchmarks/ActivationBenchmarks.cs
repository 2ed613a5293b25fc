using BenchmarkDotNet.Attributes;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Benchmarks;

/// <summary>The element-wise kernels of a forward pass on one 1B-model row, per SIMD level.</summary>
public unsafe class ActivationBenchmarks
{
    private const int Width = 5632;
    private NativeBuffer<float> _x = null!;
    private NativeBuffer<float> _y = null!;
    private NativeBuffer<float> _gate = null!;
    private NativeBuffer<sbyte> _quants = null!;
    private NativeBuffer<float> _scales = null!;
    private NativeBuffer<int> _sums = null!;

    [Params(SimdLevel.Avx512, SimdLevel.Avx2, SimdLevel.Scalar)]
    public SimdLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = new NativeBuffer<float>(Width);
        _y = new NativeBuffer<float>(Width);
        _gate = new NativeBuffer<float>(Width);
        for (var i = 0; i < Width; i++)
        {
            _x.Pointer[i] = random.NextSingle() * 4 - 2;
            _y.Pointer[i] = random.NextSingle() * 4 - 2;
        }
        _quants = new NativeBuffer<sbyte>(Width);
        _scales = new NativeBuffer<float>(Width / 32);
        _sums = new NativeBuffer<int>(Width / 32);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _y.Dispose();
        _gate.Dispose();
        _quants.Dispose();
        _scales.Dispose();
        _sums.Dispose();
    }

    [Benchmark]
    public void QuantizeQ8_0() => ActivationQuantizer.QuantizeQ8_0(_x.Pointer, Width, _quants.Pointer, _scales.Pointer, _sums.Pointer, Level);

    [Benchmark]
    public void SwiGluRow()
    {
        Buffer.MemoryCopy(_y.Pointer, _gate.Pointer, Width * sizeof(float), Width * sizeof(float));
        SwiGlu.Apply(_gate.Pointer, _x.Pointer, 0, Width, Width, Level);
    }

    [Benchmark]
    public void RmsNormRow() => RmsNorm.Apply(_x.Pointer, _y.Pointer, 2048, 1e-5f, _y.Pointer + 2048, Level);

    [Benchmark]
    public void HalfRoundRow() => HalfRounding.Round(new Span<float>(_y.Pointer, Width), Level);
}
