using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Strata.Kernels.Threading;

/// <summary>
/// Dedicated compute threads with the calling thread as worker 0. Idle workers spin for a short while (a
/// forward pass issues hundreds of jobs a few microseconds apart) and then sleep on a monitor, so an idle
/// engine does not burn the CPU; the caller, waiting for the last worker, does the same, so a worker the OS has
/// preempted is not starved by a spinning caller. Every sleeper re-checks its condition under the monitor's lock,
/// so no wake-up can be lost or mistaken for another. One job runs at a time; <see cref="Run(IComputeJob)"/> is not
/// reentrant. A job too small to be worth a dispatch (<see cref="Run(IComputeJob, long)"/>) runs on the caller alone, so
/// a tiny model's decode step never wakes the workers, which then sleep instead of taking a core from the engine and
/// HTTP threads.
/// </summary>
public sealed class ComputePool : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 50_000; // ≈20 µs

    private readonly Thread[] _threads;
    private readonly long[] _allocatedBytes;
    private readonly object _dispatched = new(); // workers sleep here until the generation changes
    private readonly object _finished = new();   // the caller sleeps here until no worker remains
    private IComputeJob? _job;
    private long _generation;
    private int _remaining;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <summary>
    /// Multiply-adds (or as many comparable element operations) below which a job runs on the calling thread by
    /// default: one core does this much in a few microseconds, about what waking the workers and waiting for the last
    /// one costs.
    /// </summary>
    public const long DefaultSerialWork = 1 << 16;

    private readonly long _serialWork;

    /// <param name="serialWork">
    /// Work below which <see cref="Run(IComputeJob, long)"/> runs on the caller alone; 0 splits every job (tests that
    /// must see small jobs split across workers).
    /// </param>
    public ComputePool(int threadCount, long serialWork = DefaultSerialWork)
    {
        if (threadCount < 1)
            throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "at least one thread is required");
        ArgumentOutOfRangeException.ThrowIfNegative(serialWork);
        ThreadCount = threadCount;
        _serialWork = serialWork;
        _threads = new Thread[threadCount - 1];
        _allocatedBytes = new long[threadCount - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            var worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"strata-compute-{worker}" };
            _threads[i].Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>
    /// Bytes the pool's own threads have allocated on the managed heap, as of their last finished job: with the
    /// caller's <see cref="GC.GetAllocatedBytesForCurrentThread"/> it shows whether a run allocates.
    /// </summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            var total = 0L;
            for (var i = 0; i < _allocatedBytes.Length; i++)
                total += Volatile.Read(ref _allocatedBytes[i]);
            return total;
        }
    }

    /// <summary>The default thread count: every core the process may use.</summary>
    public static int DefaultThreadCount => Environment.ProcessorCount;

    /// <summary>Jobs handed to the workers so far (not those run on the caller alone); read by the thread that runs them.</summary>
    public long Dispatches { get; private set; }

    /// <summary>
    /// Runs <paramref name="job"/> on every worker, or on the caller alone (as worker 0 of 1) when its
    /// <paramref name="work"/> is below the pool's serial work (<see cref="DefaultSerialWork"/>). Jobs split their
    /// work so that the result does not depend on the worker count.
    /// </summary>
    public void Run(IComputeJob job, long work)
    {
        if (work < _serialWork)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            job.Execute(0, 1);
        }
        else
        {
            Run(job);
        }
    }

    /// <summary>Runs <paramref name="job"/> on every worker and returns when all have finished.</summary>
    public void Run(IComputeJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_threads.Length == 0)
        {
            job.Execute(0, 1);
            return;
        }
        Dispatches++;
        _job = job;
        _failure = null;
        Volatile.Write(ref _remaining, _threads.Length);
        lock (_dispatched)
        {
            _generation++;
            Monitor.PulseAll(_dispatched);
        }
        try
        {
            job.Execute(0, ThreadCount);
        }
        finally
        {
            // Even when worker 0 fails, the others must be done with this job before the next one can start.
            WaitForWorkers();
            _job = null;
        }
        if (_failure is { } failure)
            throw new AggregateException("a compute worker failed", failure);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        lock (_dispatched)
        {
            _generation++;
            Monitor.PulseAll(_dispatched);
        }
        foreach (var thread in _threads)
            thread.Join();
    }

    // The loops below run for the life of the pool: tiering would leave them in unoptimized code until on-stack
    // replacement, spinning at tier 0 between the jobs of every step.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WorkerLoop(int worker)
    {
        var slot = worker - 1;
        // Generation 0 is the pool's initial state, not whatever Run has made of it by the time this thread starts:
        // reading it here could skip a job dispatched before the thread first ran, and that run would never end.
        var seen = 0L;
        while (true)
        {
            seen = WaitForGeneration(seen);
            if (_disposed)
                return;
            try
            {
                _job!.Execute(worker, ThreadCount);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            Volatile.Write(ref _allocatedBytes[slot], GC.GetAllocatedBytesForCurrentThread());
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                lock (_finished)
                    Monitor.Pulse(_finished);
            }
        }
    }

    /// <summary>Spins while the workers are about to finish, then sleeps until the last one pulses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WaitForWorkers()
    {
        var start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _remaining) != 0)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            lock (_finished)
            {
                while (Volatile.Read(ref _remaining) != 0)
                    Monitor.Wait(_finished);
            }
        }
    }

    /// <summary>Spins, then sleeps, until a generation after <paramref name="seen"/> is dispatched; returns it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long WaitForGeneration(long seen)
    {
        var start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _generation) == seen)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            lock (_dispatched)
            {
                while (_generation == seen)
                    Monitor.Wait(_dispatched);
            }
        }
        return Volatile.Read(ref _generation);
    }
}
