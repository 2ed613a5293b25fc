using Strata.Kernels.Threading;

namespace Strata.Kernels.Tests.Threading;

public sealed class ComputePoolTests
{
    [Fact]
    public void Run_ManyJobsWithPausesBetween_EveryWorkerRunsEveryJob()
    {
        // Pauses longer than the spin time make the workers park between jobs, which exercises the wake-up path.
        var counter = new CountingJob();
        var finished = new Thread(() =>
        {
            using var pool = new ComputePool(3);
            for (var i = 0; i < 3000; i++)
            {
                pool.Run(counter);
                if (i % 3 == 0)
                    Pause(TimeSpan.FromMicroseconds(10 * (i % 7)));
            }
        });
        finished.Start();
        Assert.True(finished.Join(TimeSpan.FromSeconds(60)), "a job was never picked up by a parked worker");
        Assert.Equal(3 * 3000, counter.Calls);
    }

    [Fact]
    public void Run_OversubscribedPools_ReturnOnlyWhenEveryWorkerHasFinishedThisJob()
    {
        // More pool threads than cores, and jobs long enough for the caller to park: a worker preempted between
        // finishing one job and waking the caller must not wake the caller of the next job early.
        var failures = 0;
        var pools = Enumerable.Range(0, 4).Select(p => new Thread(() =>
        {
            using var pool = new ComputePool(3);
            var job = new SlowCountingJob();
            for (var i = 1; i <= 5000; i++)
            {
                job.Length = TimeSpan.FromMicroseconds(5 * ((i + p) % 9));
                pool.Run(job);
                if (job.Calls != 3 * i)
                    Interlocked.Increment(ref failures);
            }
        })).ToList();
        pools.ForEach(t => t.Start());
        Assert.True(pools.All(t => t.Join(TimeSpan.FromSeconds(120))), "a pool hung");
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Run_RightAfterConstruction_WorkersThatStartLateStillRunTheJob()
    {
        var finished = new Thread(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var pool = new ComputePool(3);
                var counter = new CountingJob();
                pool.Run(counter);
                Assert.Equal(3, counter.Calls);
            }
        });
        finished.Start();
        Assert.True(finished.Join(TimeSpan.FromSeconds(60)), "a job dispatched before a worker started was never run");
    }

    [Fact]
    public void Run_WorkerThrows_RethrowsOnTheCaller()
    {
        using var pool = new ComputePool(2);
        Assert.Throws<AggregateException>(() => pool.Run(new ThrowingJob()));
        pool.Run(new CountingJob());
    }

    [Fact]
    public void Run_WorkBelowTheSerialWork_RunsOnTheCallerAsItsOnlyWorker()
    {
        using var pool = new ComputePool(3, serialWork: 1000);
        var job = new RecordingJob();
        pool.Run(job, work: 999);
        Assert.Equal([(0, 1, Environment.CurrentManagedThreadId)], job.Calls);
        Assert.Equal(0, pool.Dispatches);
    }

    [Fact]
    public void Run_WorkAtTheSerialWork_RunsOnEveryWorker()
    {
        using var pool = new ComputePool(3, serialWork: 1000);
        var job = new RecordingJob();
        pool.Run(job, work: 1000);
        Assert.Equal([0, 1, 2], job.Calls.Select(c => c.Worker).Order());
        Assert.All(job.Calls, c => Assert.Equal(3, c.WorkerCount));
        Assert.Equal(1, pool.Dispatches);
    }

    private static void Pause(TimeSpan duration)
    {
        var end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
            Thread.SpinWait(10);
    }

    private sealed class CountingJob : IComputeJob
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Execute(int worker, int workerCount) => Interlocked.Increment(ref _calls);
    }

    private sealed class SlowCountingJob : IComputeJob
    {
        private int _calls;

        public TimeSpan Length { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public void Execute(int worker, int workerCount)
        {
            if (worker != 0)
                Pause(Length);
            Interlocked.Increment(ref _calls);
        }
    }

    private sealed class RecordingJob : IComputeJob
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(int Worker, int WorkerCount, int Thread)> _calls = new();

        public IReadOnlyList<(int Worker, int WorkerCount, int Thread)> Calls => [.. _calls];

        public void Execute(int worker, int workerCount) => _calls.Enqueue((worker, workerCount, Environment.CurrentManagedThreadId));
    }

    private sealed class ThrowingJob : IComputeJob
    {
        public void Execute(int worker, int workerCount)
        {
            if (worker == 1)
                throw new InvalidOperationException("worker 1 fails");
        }
    }
}
