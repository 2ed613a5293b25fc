namespace Strata.Kernels.Threading;

/// <summary>Static partitioning of a range of work items into contiguous shares, one per worker.</summary>
public static class Partition
{
    /// <summary>The half-open range of <paramref name="count"/> items that <paramref name="worker"/> owns.</summary>
    public static (int Start, int End) Range(int count, int worker, int workerCount)
    {
        var start = (int)((long)count * worker / workerCount);
        var end = (int)((long)count * (worker + 1) / workerCount);
        return (start, end);
    }
}
