using System.Diagnostics;
using Strata.Engine.Caching;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Scheduling;

/// <summary>
/// Continuous batching. Each step takes the running sequences oldest first (a decode needs one token, a prompt
/// mid-prefill a chunk) and then admits waiting ones first come first served, all under a token budget and a cap
/// on running sequences. When blocks run out, the newest running sequence is preempted: its blocks are freed and it
/// goes back to the front of the queue, to be recomputed later — no request fails because others are running.
/// A sequence being admitted first takes the longest prefix of its tokens whose full blocks are cached, and only
/// computes the rest; blocks become findable by content as soon as they are full, and a sequence whose next block
/// another running sequence is computing waits for it rather than computing it twice.
/// </summary>
internal sealed class Scheduler(BlockManager blocks, int maxBatchedTokens, int maxSequences, PinPolicy pins, KvTiers? tiers)
{
    private readonly LinkedList<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];
    private readonly SchedulerPlan _plan = new();
    private readonly InFlightPrefixes _inFlight = new();

    public int WaitingCount => _waiting.Count;

    public int RunningCount => _running.Count;

    public long Preemptions { get; private set; }

    /// <summary>Prompt tokens of every request admitted so far, and how many of them came from the prefix cache.</summary>
    public long AdmittedPromptTokens { get; private set; }

    public long CachedPromptTokens { get; private set; }

    public bool HasWork => _waiting.Count > 0 || _running.Count > 0;

    public int MaxBatchedTokens => maxBatchedTokens;

    public BlockManager Blocks => blocks;

    /// <summary>Every sequence the scheduler holds, running first.</summary>
    public IEnumerable<Sequence> Sequences => _running.Concat(_waiting);

    public void Enqueue(Sequence sequence) => _waiting.AddLast(sequence);

    /// <summary>Adds a sequence whose blocks are already in place (a forked choice) straight to the running set.</summary>
    public void AddRunning(Sequence sequence) => _running.Add(sequence);

    public SchedulerPlan Schedule()
    {
        _plan.Clear();
        var budget = maxBatchedTokens;
        var preempted = false;
        for (var i = 0; i < _running.Count && budget > 0; i++)
        {
            var sequence = _running[i];
            var count = Math.Min(sequence.PendingCount, budget);
            if (count == 0)
                continue;
            if (!MakeRoom(sequence, count, ref i))
            {
                preempted = true;
                continue;
            }
            blocks.Reserve(sequence.Table, sequence.ComputedCount, sequence.ComputedCount + count, _plan.Copies);
            _plan.Add(sequence, count);
            budget -= count;
        }

        // Admitting new work in a step that had to preempt would only thrash. A sequence still loading its cached
        // prefix is passed over, not waited for.
        for (var node = _waiting.First; !preempted && budget > 0 && node is not null && _running.Count < maxSequences;)
        {
            var next = node.Next;
            var admission = TryAdmit(node.Value, ref budget);
            if (admission == Admission.NoRoom)
                break;
            if (admission == Admission.Admitted)
            {
                _waiting.Remove(node);
                _running.Add(node.Value);
            }
            node = next;
        }
        return _plan;
    }

    /// <summary>Records that the plan ran: every chunk's tokens now have K/V in the cache, and full blocks become findable.</summary>
    public void Commit(SchedulerPlan plan)
    {
        foreach (var chunk in plan.Chunks)
        {
            var sequence = chunk.Sequence;
            sequence.ComputedCount = chunk.Start + chunk.Count;
            RegisterFullBlocks(sequence, chunk.Start / blocks.BlockSize, sequence.ComputedCount / blocks.BlockSize);
        }
    }

    /// <summary>Removes a finished or cancelled sequence and frees its blocks.</summary>
    public void Remove(Sequence sequence)
    {
        if (!_running.Remove(sequence))
            _waiting.Remove(sequence);
        _inFlight.Release(sequence);
        blocks.Free(sequence.Table);
    }

    /// <summary>Throws unless block references match exactly what the live sequences hold.</summary>
    public void CheckIntegrity() => blocks.CheckIntegrity(Sequences.Select(s => s.Table));

    private enum Admission { Admitted, Deferred, NoRoom }

    /// <summary>
    /// Plans a waiting sequence's first chunk, starting after its longest cached prefix: blocks still in the working
    /// pool are shared, blocks in lower tiers are loaded first (the sequence is deferred until they arrive).
    /// </summary>
    private Admission TryAdmit(Sequence sequence, ref int budget)
    {
        var cached = FindCachedPrefix(sequence);
        if (TakeLoadedBlocks(sequence, cached.Count) is not { } loaded)
            return Admission.Deferred;
        var fromCache = cached.Count + loaded.Count;
        var promptBlocks = blocks.Prefixes is null ? 0 : CacheableBlocks(sequence);
        if (fromCache < promptBlocks && _inFlight.IsComputedByOther(sequence.BlockKeys[fromCache], sequence))
            return Admission.Deferred;
        var start = fromCache * blocks.BlockSize;
        var count = Math.Min(sequence.Length - start, budget);
        var needed = blocks.AttachCost(cached) + loaded.Count + blocks.BlocksFor(start + count) - fromCache;
        if (needed > blocks.FreeBlocks)
            return Admission.NoRoom;

        blocks.Attach(sequence.Table, cached);
        foreach (var load in loaded)
            _plan.Loads.Add((blocks.AttachLoaded(sequence.Table, load.Block), load.Payload));
        sequence.ComputedCount = start;
        if (sequence.Request.NoteCachedTokens(start))
        {
            AdmittedPromptTokens += sequence.PromptLength;
            CachedPromptTokens += start;
            sequence.Request.Timeline.OnAdmitted(Stopwatch.GetTimestamp(), start, cached.Count, loaded.Count);
        }
        _inFlight.Claim(sequence, fromCache, promptBlocks);
        blocks.Reserve(sequence.Table, start, start + count, _plan.Copies);
        _plan.Add(sequence, count);
        budget -= count;
        return Admission.Admitted;
    }

    /// <summary>
    /// The blocks a finished fetch brought up that continue the cached prefix at <paramref name="next"/>; an empty
    /// list when there is nothing to load; null while a load is still running (one is started if lower tiers can help).
    /// </summary>
    private IReadOnlyList<LoadedBlock>? TakeLoadedBlocks(Sequence sequence, int next)
    {
        if (sequence.Fetch is { } fetch)
        {
            if (!fetch.Loads.IsCompleted)
                return null;
            sequence.Fetch = null;
            tiers!.RecordPrefetch(fetch);
            var loaded = fetch.Loads.IsCompletedSuccessfully ? fetch.Loads.Result : [];
            sequence.Request.Timeline.OnTierLoad(fetch.StartedTimestamp, Stopwatch.GetTimestamp(), loaded.Count, loaded.Count > 0 ? loaded[0].Tier : null);
            // Blocks may have left or joined the working pool while loading: use only what continues the prefix.
            return next < fetch.FirstBlock ? [] : loaded.Skip(next - fetch.FirstBlock).ToList();
        }
        var fullBlocks = CacheableBlocks(sequence);
        if (tiers is null || next >= fullBlocks)
            return [];
        var available = tiers.CountAvailable(sequence.BlockKeys.GetRange(0, fullBlocks), next);
        if (available == 0)
            return [];
        sequence.Fetch = tiers.Fetch(sequence.BlockKeys, sequence.Request.CacheRoot, sequence.Tokens.ToArray(), next, available, blocks.BlockSize);
        return null;
    }

    /// <summary>The cached blocks holding the longest prefix of the sequence, leaving at least its last token to compute.</summary>
    private List<int> FindCachedPrefix(Sequence sequence)
    {
        if (blocks.Prefixes is null)
            return [];
        var fullBlocks = CacheableBlocks(sequence);
        PrefixHasher.Extend(sequence.BlockKeys, sequence.Request.CacheRoot, sequence.Tokens, blocks.BlockSize, fullBlocks);
        return blocks.FindCached(sequence.BlockKeys.GetRange(0, fullBlocks), sequence.Tokens);
    }

    /// <summary>Full blocks of the sequence that may come from a cache: its last token is always computed, for its logits.</summary>
    private int CacheableBlocks(Sequence sequence) => (sequence.Length - 1) / blocks.BlockSize;

    private void RegisterFullBlocks(Sequence sequence, int from, int to)
    {
        if (blocks.Prefixes is null || to <= from)
            return;
        var size = blocks.BlockSize;
        PrefixHasher.Extend(sequence.BlockKeys, sequence.Request.CacheRoot, sequence.Tokens, size, to);
        for (var i = from; i < to; i++)
        {
            var parent = i == 0 ? sequence.Request.CacheRoot : sequence.BlockKeys[i - 1];
            var block = sequence.Table[i];
            var entry = new CachedBlock(sequence.BlockKeys[i], parent, sequence.Tokens.Slice(i * size, size).ToArray());
            if (blocks.Register(block, entry))
                tiers?.WriteThrough(block, entry, pins.TtlFor(sequence.Request.Request.CacheTtl));
            _inFlight.Done(entry.Key, sequence);
            if (sequence.Request.Request.Pin && (i + 1) * size <= sequence.PromptLength)
                pins.Pin(blocks, block, sequence.Request.Request.CacheTtl);
        }
    }

    /// <summary>
    /// Preempts the newest running sequences until <paramref name="sequence"/> can grow by <paramref name="count"/>
    /// tokens. Returns false if <paramref name="sequence"/> itself had to go.
    /// </summary>
    private bool MakeRoom(Sequence sequence, int count, ref int index)
    {
        while (!blocks.CanReserve(sequence.Table, sequence.ComputedCount, sequence.ComputedCount + count))
        {
            var victim = _running[^1];
            Preempt(victim);
            if (victim == sequence)
            {
                index--;
                return false;
            }
        }
        return true;
    }

    private void Preempt(Sequence victim)
    {
        _running.Remove(victim);
        _inFlight.Release(victim);
        blocks.Free(victim.Table);
        victim.ComputedCount = 0;
        _waiting.AddFirst(victim);
        Preemptions++;
    }
}
