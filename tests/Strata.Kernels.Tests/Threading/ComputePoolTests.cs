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

    private sealed class ThrowingJob : IComputeJob
    {
        public void Execute(int worker, int workerCount)
        {
            if (worker == 1)
                throw new InvalidOperationException("worker 1 fails");
        }
    }
}
