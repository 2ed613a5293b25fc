namespace Strata.Router;

/// <summary>The router's own counters (each node's figures are read live from its member).</summary>
internal sealed class RouterMetrics
{
    private long _retries;
    private long _streamFailures;
    private long _promptBlocks;
    private long _cachedBlocks;
    private long _disaggregated;
    private long _prefilledLocally;
    private long _prefillFailures;

    public long Retries => Interlocked.Read(ref _retries);

    public long StreamFailures => Interlocked.Read(ref _streamFailures);

    public long PromptBlocks => Interlocked.Read(ref _promptBlocks);

    /// <summary>Prompt blocks the chosen nodes held (by tier credit) when the requests were sent.</summary>
    public long CachedBlocks => Interlocked.Read(ref _cachedBlocks);

    /// <summary>Requests whose prompt a prefill node computed, and those sent to a decode node to compute (short or mostly cached).</summary>
    public long Disaggregated => Interlocked.Read(ref _disaggregated);

    public long PrefilledLocally => Interlocked.Read(ref _prefilledLocally);

    /// <summary>Prefill legs a prefill node failed (the next was tried, or the decode node computed the prompt).</summary>
    public long PrefillFailures => Interlocked.Read(ref _prefillFailures);

    public void Disaggregate(bool remote) => Interlocked.Increment(ref remote ? ref _disaggregated : ref _prefilledLocally);

    public void PrefillFailed() => Interlocked.Increment(ref _prefillFailures);

    public void Retried() => Interlocked.Increment(ref _retries);

    public void StreamFailed() => Interlocked.Increment(ref _streamFailures);

    public void Routed(int promptBlocks, double cachedBlocks)
    {
        Interlocked.Add(ref _promptBlocks, promptBlocks);
        Interlocked.Add(ref _cachedBlocks, (long)cachedBlocks);
    }
}
