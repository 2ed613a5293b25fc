using BenchmarkDotNet.Attributes;
using Strata.Kernels.MatMul;
using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;

namespace Strata.Benchmarks;

/// <summary>
/// One matmul of a 2048×2048 weight matrix (a 1B model's attention projection) on one thread, per weight type, batch
/// size and SIMD level: batch 1 is the decode GEMV, 32 a batched-decode GEMM. Multiply-accumulates per second =
/// 2048 · 2048 · Batch / time.
/// </summary>
public unsafe class MatMulBenchmarks
{
    private const int Rows = 2048;
    private const int Cols = 2048;

    private NativeBuffer<byte> _weights = null!;
    private NativeBuffer<float> _input = null!;
    private NativeBuffer<float> _output = null!;
    private PackedMatrix _matrix = null!;
    private MatMulJob _job = null!;
    private ComputePool _pool = null!;

    [Params(TensorType.Q4_0, TensorType.Q8_0, TensorType.Q4_K, TensorType.Q6_K, TensorType.F16, TensorType.F32)]
    public TensorType Type { get; set; }

    [Params(1, 32)]
    public int Batch { get; set; }

    [Params(SimdLevel.Avx512, SimdLevel.Avx2)]
    public SimdLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var values = new float[Rows * Cols];
        for (var i = 0; i < values.Length; i++)
            values[i] = random.NextSingle() - 0.5f;
        var bytes = TensorTypeInfo.RowBytes(Type, Cols) * Rows;
        _weights = new NativeBuffer<byte>(bytes);
        Quantizer.QuantizeRow(Type, values, new Span<byte>(_weights.Pointer, (int)bytes));
        _matrix = PackedMatrix.Create(new WeightMatrix(_weights.Pointer, Type, Rows, Cols));
        _input = new NativeBuffer<float>(Batch * Cols);
        for (var i = 0; i < Batch * Cols; i++)
            _input.Pointer[i] = random.NextSingle() - 0.5f;
        _output = new NativeBuffer<float>(Batch * Rows);
        _job = new MatMulJob(Level);
        _pool = new ComputePool(1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _job.Dispose();
        _matrix.Dispose();
        _weights.Dispose();
        _input.Dispose();
        _output.Dispose();
    }

    [Benchmark]
    public void MatMul() => _job.Run(_pool, _matrix, _input.Pointer, Batch, _output.Pointer);
}
