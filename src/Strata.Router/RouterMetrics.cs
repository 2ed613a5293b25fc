namespace Strata.Router;

/// <summary>The router's own counters (each node's figures are read live from its member).</summary>
internal sealed class RouterMetrics
{
    private long _retries;
    private long _streamFailures;
    private long _promptBlocks;
    private long _cachedBlocks;

    public long Retries => Interlocked.Read(ref _retries);

    public long StreamFailures => Interlocked.Read(ref _streamFailures);

    public long PromptBlocks => Interlocked.Read(ref _promptBlocks);

    /// <summary>Prompt blocks the chosen nodes held (by tier credit) when the requests were sent.</summary>
    public long CachedBlocks => Interlocked.Read(ref _cachedBlocks);

    public void Retried() => Interlocked.Increment(ref _retries);

    public void StreamFailed() => Interlocked.Increment(ref _streamFailures);

    public void Routed(int promptBlocks, double cachedBlocks)
    {
        Interlocked.Add(ref _promptBlocks, promptBlocks);
        Interlocked.Add(ref _cachedBlocks, (long)cachedBlocks);
    }
}
