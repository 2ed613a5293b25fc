using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Strata.Kernels.Memory;
using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Benchmarks;

/// <summary>
/// Half → float widening of one KV block's worth of values without F16C: our exponent-rebasing multiply at each SIMD
/// level against .NET's TensorPrimitives, the scalar (float)Half cast, and a 65536-entry lookup table (ggml's
/// fallback without F16C).
/// </summary>
[MemoryDiagnoser]
public unsafe class HalfConversionBenchmarks
{
    private const int Count = 4096;
    private NativeBuffer<ushort> _halves = null!;
    private NativeBuffer<float> _floats = null!;
    private float[] _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        _halves = new NativeBuffer<ushort>(Count);
        _floats = new NativeBuffer<float>(Count);
        var random = new Random(1);
        for (var i = 0; i < Count; i++)
            _halves.Pointer[i] = BitConverter.HalfToUInt16Bits((Half)(random.NextSingle() * 4 - 2));
        _table = new float[65536];
        for (var i = 0; i < _table.Length; i++)
            _table[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _halves.Dispose();
        _floats.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void RebaseAvx512() => HalfConversion.ToSingle(_halves.Pointer, _floats.Pointer, Count, SimdLevel.Avx512);

    [Benchmark]
    public void RebaseAvx2() => HalfConversion.ToSingle(_halves.Pointer, _floats.Pointer, Count, SimdLevel.Avx2);

    [Benchmark]
    public void RebaseScalar() => HalfConversion.ToSingle(_halves.Pointer, _floats.Pointer, Count, SimdLevel.Scalar);

    [Benchmark]
    public void TensorPrimitivesConvert() =>
        TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(_halves.Pointer, Count), new Span<float>(_floats.Pointer, Count));

    [Benchmark]
    public void HalfCast()
    {
        var source = (Half*)_halves.Pointer;
        for (var i = 0; i < Count; i++)
            _floats.Pointer[i] = (float)source[i];
    }

    [Benchmark]
    public void LookupTable()
    {
        var table = _table;
        for (var i = 0; i < Count; i++)
            _floats.Pointer[i] = table[_halves.Pointer[i]];
    }
}
