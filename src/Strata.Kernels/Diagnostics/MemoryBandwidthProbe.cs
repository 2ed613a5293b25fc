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
/// kernel and roof read the same kind of memory.
/// </summary>
public sealed unsafe class MemoryBandwidthProbe : IComputeJob
{
    private byte* _buffer;
    private long _bytes;
    private long _sink;

    /// <summary>Best GB/s (10^9 bytes) over <paramref name="runs"/> passes over <paramref name="bytes"/> bytes.</summary>
    public static double Measure(ComputePool pool, long bytes = 1L << 30, int runs = 5)
    {
        using var buffer = new NativeBuffer<byte>(bytes, hugePages: true);
        var probe = new MemoryBandwidthProbe { _bytes = bytes, _buffer = buffer.Pointer };
        NativeMemory.Fill(probe._buffer, (nuint)bytes, 1);
        var best = 0.0;
        for (var run = 0; run < runs; run++)
        {
            var start = Stopwatch.GetTimestamp();
            pool.Run(probe);
            best = Math.Max(best, bytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }

    public void Execute(int worker, int workerCount)
    {
        const int Step = 256;
        var (start, end) = Partition.Range((int)(_bytes / Step), worker, workerCount);
        var a0 = Vector512<long>.Zero;
        var a1 = Vector512<long>.Zero;
        var a2 = Vector512<long>.Zero;
        var a3 = Vector512<long>.Zero;
        for (var p = _buffer + (long)start * Step; p < _buffer + (long)end * Step; p += Step)
        {
            a0 += Vector512.Load((long*)p);
            a1 += Vector512.Load((long*)(p + 64));
            a2 += Vector512.Load((long*)(p + 128));
            a3 += Vector512.Load((long*)(p + 192));
        }
        Interlocked.Add(ref _sink, Vector512.Sum(a0 + a1 + a2 + a3));
    }
}
