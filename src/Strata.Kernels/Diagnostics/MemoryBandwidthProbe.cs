using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Strata.Kernels.Memory;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Diagnostics;

/// <summary>
/// Measures the sustained read bandwidth that bounds a decode step: every pool thread streams its share of one
/// buffer with 512-bit loads (four independent accumulators, so loads never wait on adds). The best of several
/// runs is the roof. The buffer is on huge pages like the repacked weights (<see cref="MatMul.PackedMatrix"/>), so
/// kernel and roof read the same kind of memory. An instance keeps its buffer, so a benchmark can probe again
/// right before and after each timed stretch (the host's bandwidth drifts within seconds).
/// </summary>
public sealed unsafe class MemoryBandwidthProbe : IComputeJob, IDisposable
{
    private readonly NativeBuffer<byte> _buffer;
    private readonly long _bytes;
    private long _sink;

    /// <summary>A probe over <paramref name="bytes"/> bytes (allocated and touched once, here).</summary>
    public MemoryBandwidthProbe(long bytes = 1L << 30)
    {
        _bytes = bytes;
        _buffer = new NativeBuffer<byte>(bytes, hugePages: true);
        NativeMemory.Fill(_buffer.Pointer, (nuint)bytes, 1);
    }

    /// <summary>Best GB/s (10^9 bytes) over <paramref name="runs"/> passes over this probe's buffer.</summary>
    public double Best(ComputePool pool, int runs = 5)
    {
        var best = 0.0;
        for (var run = 0; run < runs; run++)
        {
            var start = Stopwatch.GetTimestamp();
            pool.Run(this);
            best = Math.Max(best, _bytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }

    public void Execute(int worker, int workerCount)
    {
        const int Step = 256;
        var buffer = _buffer.Pointer;
        var (start, end) = Partition.Range((int)(_bytes / Step), worker, workerCount);
        var a0 = Vector512<long>.Zero;
        var a1 = Vector512<long>.Zero;
        var a2 = Vector512<long>.Zero;
        var a3 = Vector512<long>.Zero;
        for (var p = buffer + (long)start * Step; p < buffer + (long)end * Step; p += Step)
        {
            a0 += Vector512.Load((long*)p);
            a1 += Vector512.Load((long*)(p + 64));
            a2 += Vector512.Load((long*)(p + 128));
            a3 += Vector512.Load((long*)(p + 192));
        }
        Interlocked.Add(ref _sink, Vector512.Sum(a0 + a1 + a2 + a3));
    }

    public void Dispose() => _buffer.Dispose();
}
