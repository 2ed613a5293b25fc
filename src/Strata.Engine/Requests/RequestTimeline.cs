namespace Strata.Engine.Requests;

/// <summary>
/// Where one request spent its time in the engine, for tracing: waiting to be admitted, its prefix match and the loads
/// of cached blocks from lower tiers, each prefill chunk, and decoding. Times are timestamps of the engine core's
/// clock (<see cref="SubmittedUtc"/> and <see cref="Elapsed"/> turn them into wall-clock times). Written by the engine thread only; read once the
/// request's last event has been received. Decoding is kept as one span (first step to last, with a step count), so the
/// decode loop records without allocating.
/// </summary>
public sealed class RequestTimeline
{
    private readonly List<TimelineSpan> _prefill = [];
    private readonly List<TierLoad> _loads = [];
    private long _decodeStart;
    private long _decodeEnd;
    private int _decodeSteps;

    internal RequestTimeline(long submitted) => Submitted = submitted;

    public long Submitted { get; }

    /// <summary>The clock the timestamps are of: the engine core's, given when it admits the request.</summary>
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>When the request's first chunk was scheduled (null until then): the end of its wait in the queue.</summary>
    public long? Admitted { get; private set; }

    /// <summary>Prompt tokens the prefix match found, in the working pool or loaded from lower tiers.</summary>
    public int CachedTokens { get; private set; }

    /// <summary>Cached blocks found in the working pool, and those loaded from lower tiers, at admission.</summary>
    public int PoolBlocks { get; private set; }

    public int LoadedBlocks { get; private set; }

    /// <summary>Loads of cached blocks from lower tiers before admission.</summary>
    public IReadOnlyList<TierLoad> Loads => _loads;

    /// <summary>Prefill chunks (prompt tokens, and recomputation after a preemption), one span each.</summary>
    public IReadOnlyList<TimelineSpan> Prefill => _prefill;

    /// <summary>Steps that decoded this request: the first one's start to the last one's end, and how many.</summary>
    public TimelineSpan? Decode => _decodeSteps == 0 ? null : new TimelineSpan(_decodeStart, _decodeEnd, _decodeSteps);

    /// <summary>The wall-clock time of <see cref="Submitted"/>, by one reading of the engine's clock.</summary>
    public DateTime SubmittedUtc() => (Clock.GetUtcNow() - Clock.GetElapsedTime(Submitted)).UtcDateTime;

    /// <summary>The time between two of this timeline's timestamps.</summary>
    public TimeSpan Elapsed(long from, long to) => Clock.GetElapsedTime(from, to);

    internal void OnAdmitted(long now, int cachedTokens, int poolBlocks, int loadedBlocks)
    {
        Admitted = now;
        CachedTokens = cachedTokens;
        PoolBlocks = poolBlocks;
        LoadedBlocks = loadedBlocks;
    }

    internal void OnTierLoad(long started, long finished, int blocks, string? tier) => _loads.Add(new TierLoad(started, finished, blocks, tier));

    internal void OnPrefill(long start, long end, int tokens) => _prefill.Add(new TimelineSpan(start, end, tokens));

    internal void OnDecode(long start, long end)
    {
        if (_decodeSteps++ == 0)
            _decodeStart = start;
        _decodeEnd = end;
    }
}
