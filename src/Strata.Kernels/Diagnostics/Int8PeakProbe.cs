using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Threading;

namespace Strata.Kernels.Diagnostics;

/// <summary>
/// The int8 multiply-accumulate peak our quantized kernels can reach from C#: twelve independent chains of
/// vpmaddubsw + vpmaddwd (what the Q8_0 kernels issue per 64 products; .NET exposes no 512-bit VNNI) on every
/// pool thread. Reported in 10^9 multiply-accumulates per second over all threads.
/// </summary>
public sealed class Int8PeakProbe : IComputeJob
{
    private const int Chains = 12;
    private long _iterations;
    private long _sink;

    public static bool IsSupported => Avx512BW.IsSupported;

    public static double Measure(ComputePool pool, long iterations = 50_000_000, int runs = 3)
    {
        if (!IsSupported)
            return 0;
        var probe = new Int8PeakProbe { _iterations = iterations };
        var best = 0.0;
        for (var run = 0; run < runs; run++)
        {
            var start = Stopwatch.GetTimestamp();
            pool.Run(probe);
            var macs = (double)iterations * Chains * Vector512<byte>.Count * pool.ThreadCount;
            best = Math.Max(best, macs / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }

    public void Execute(int worker, int workerCount)
    {
        var w = Vector512.Create((byte)3);
        var a0 = Vector512.Create((sbyte)1);
        var a1 = Vector512.Create((sbyte)2);
        var a2 = Vector512.Create((sbyte)3);
        var a3 = Vector512.Create((sbyte)4);
        var a4 = Vector512.Create((sbyte)5);
        var a5 = Vector512.Create((sbyte)6);
        var a6 = Vector512.Create((sbyte)7);
        var a7 = Vector512.Create((sbyte)8);
        var a8 = Vector512.Create((sbyte)9);
        var a9 = Vector512.Create((sbyte)10);
        var a10 = Vector512.Create((sbyte)11);
        var a11 = Vector512.Create((sbyte)12);
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<int> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (var i = 0L; i < _iterations; i++)
        {
            c0 += Dot(w, a0);
            c1 += Dot(w, a1);
            c2 += Dot(w, a2);
            c3 += Dot(w, a3);
            c4 += Dot(w, a4);
            c5 += Dot(w, a5);
            c6 += Dot(w, a6);
            c7 += Dot(w, a7);
            c8 += Dot(w, a8);
            c9 += Dot(w, a9);
            c10 += Dot(w, a10);
            c11 += Dot(w, a11);
            w += Vector512<byte>.One;
        }
        Interlocked.Add(ref _sink, Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))));
    }

    private static Vector512<int> Dot(Vector512<byte> w, Vector512<sbyte> a) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(w, a), Vector512<short>.One);
}
