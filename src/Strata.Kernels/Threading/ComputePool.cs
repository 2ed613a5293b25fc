using System.Diagnostics;

namespace Strata.Kernels.Threading;

/// <summary>
/// Dedicated compute threads with the calling thread as worker 0. Idle workers spin for a short while (a
/// forward pass issues hundreds of jobs a few microseconds apart) and then park on a semaphore, so an idle
/// engine does not burn the CPU; the caller, waiting for the last worker, does the same, so a worker the OS has
/// preempted is not starved by a spinning caller. One job runs at a time; <see cref="Run"/> is not reentrant.
/// </summary>
public sealed class ComputePool : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 50_000; // ≈20 µs

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _wakeUps;
    private readonly int[] _parked;
    private readonly long[] _allocatedBytes;
    private readonly SemaphoreSlim _finished = new(0);
    private long _callerParked; // the generation whose end the parked caller waits for, or 0
    private IComputeJob? _job;
    private long _generation;
    private int _remaining;
    private Exception? _failure;
    private volatile bool _disposed;

    public ComputePool(int threadCount)
    {
        if (threadCount < 1)
            throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "at least one thread is required");
        ThreadCount = threadCount;
        _threads = new Thread[threadCount - 1];
        _wakeUps = new SemaphoreSlim[threadCount - 1];
        _parked = new int[threadCount - 1];
        _allocatedBytes = new long[threadCount - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _wakeUps[i] = new SemaphoreSlim(0);
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

    /// <summary>Runs <paramref name="job"/> on every worker and returns when all have finished.</summary>
    public void Run(IComputeJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_threads.Length == 0)
        {
            job.Execute(0, 1);
            return;
        }
        _job = job;
        _failure = null;
        Volatile.Write(ref _remaining, _threads.Length);
        var generation = Interlocked.Increment(ref _generation);
        for (var i = 0; i < _parked.Length; i++)
        {
            if (Interlocked.Exchange(ref _parked[i], 0) == 1)
                _wakeUps[i].Release();
        }
        job.Execute(0, ThreadCount);
        WaitForWorkers(generation);
        _job = null;
        if (_failure is { } failure)
            throw new AggregateException("a compute worker failed", failure);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Interlocked.Increment(ref _generation);
        foreach (var wakeUp in _wakeUps)
            wakeUp.Release();
        foreach (var thread in _threads)
            thread.Join();
        foreach (var wakeUp in _wakeUps)
            wakeUp.Dispose();
        _finished.Dispose();
    }

    private void WorkerLoop(int worker)
    {
        var slot = worker - 1;
        // Generation 0 is the pool's initial state, not whatever Run has made of it by the time this thread starts:
        // reading it here could skip a job dispatched before the thread first ran, and that run would never end.
        var seen = 0L;
        while (true)
        {
            WaitForGeneration(slot, seen);
            if (_disposed)
                return;
            seen = Volatile.Read(ref _generation);
            try
            {
                _job!.Execute(worker, ThreadCount);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            Volatile.Write(ref _allocatedBytes[slot], GC.GetAllocatedBytesForCurrentThread());
            // Only a caller parked for this very job is woken: a worker delayed here after finishing one job must not
            // wake the caller of the next, who would return before that job is done.
            if (Interlocked.Decrement(ref _remaining) == 0 && Interlocked.CompareExchange(ref _callerParked, 0, seen) == seen)
                _finished.Release();
        }
    }

    /// <summary>
    /// Spins while the workers are about to finish, then parks: the same announce-then-recheck protocol as a parking
    /// worker, with the last worker to finish this generation's job as the one who wakes the caller.
    /// </summary>
    private void WaitForWorkers(long generation)
    {
        var start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _remaining) != 0)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            Interlocked.Exchange(ref _callerParked, generation);
            if (Volatile.Read(ref _remaining) != 0)
                _finished.Wait();
            else if (Interlocked.Exchange(ref _callerParked, 0) == 0)
                _finished.Wait(); // the last worker saw us parked and released: consume that release
            return;
        }
    }

    private void WaitForGeneration(int slot, long seen)
    {
        var start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _generation) == seen)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            // Announce the park with a full fence before looking at the generation again: with the dispatcher's
            // fenced increment-then-exchange, at least one side sees the other's write (a plain store could sit in
            // the store buffer while both read stale values, and the job would never be picked up).
            Interlocked.Exchange(ref _parked[slot], 1);
            if (Volatile.Read(ref _generation) == seen)
            {
                _wakeUps[slot].Wait();
            }
            else if (Interlocked.Exchange(ref _parked[slot], 0) == 0)
            {
                // The dispatcher saw us parked and released the semaphore: consume that release.
                _wakeUps[slot].Wait();
            }
            return;
        }
    }
}
