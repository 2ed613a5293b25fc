namespace Strata.KvCache.Remote;

/// <summary>The store's counters, updated from any thread with interlocked operations.</summary>
internal sealed class RemoteCounters
{
    public long Hits;
    public long Misses;
    public long BytesRead;
    public long BytesWritten;
    public long Reads;
    public long ReadTicks;
    public long MaxReadTicks;
    public long Published;
    public long AlreadyPresent;
    public long DroppedPublishes;
    public long Errors;
    public long RejectedCorrupt;
    public long RejectedForeign;
    public long Redirects;
    public long BreakerOpenings;
    public long BreakerClosings;

    public void RecordRead(long ticks)
    {
        Interlocked.Increment(ref Reads);
        Interlocked.Add(ref ReadTicks, ticks);
        var max = Volatile.Read(ref MaxReadTicks);
        while (ticks > max)
        {
            var seen = Interlocked.CompareExchange(ref MaxReadTicks, ticks, max);
            if (seen == max)
                break;
            max = seen;
        }
    }
}
