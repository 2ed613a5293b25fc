using Strata.Engine.Scheduling;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// The one owner of the KV path (the role of mini-sglang's cache manager): it finds a sequence's longest cached prefix
/// (the working pool first, then a load from the tiers below, which completes later), attaches it, grows and
/// truncates block tables, registers full blocks so later requests find them, writes them through to the durable
/// tiers, pins them, moves what the pool evicts down a tier, and counts the hits. The scheduler asks it what things
/// cost and tells it what to do; it decides nothing about order or admission. Not thread-safe: the engine loop owns it.
/// </summary>
internal sealed class CacheCoordinator
{
    private readonly BlockManager _blocks;
    private readonly CacheIdentity _identity;
    private readonly PinPolicy _pins;
    private readonly KvTierList? _tiers;
    private readonly InFlightPrefixes _inFlight = new();
    private readonly List<EvictedBlock> _evicted = [];
    private readonly Action<KvEvent>? _events;

    /// <param name="events">Told, on the engine thread, of every block stored into or removed from the working pool.</param>
    public CacheCoordinator(BlockManager blocks, CacheIdentity identity, PinPolicy pins, KvTierList? tiers, TimeProvider clock, Action<KvEvent>? events = null)
    {
        if (identity.BlockSize != blocks.BlockSize)
            throw new ArgumentException($"the cache identity is for {identity.BlockSize}-token blocks, the pool has {blocks.BlockSize}");
        _blocks = blocks;
        _identity = identity;
        _pins = pins;
        _tiers = tiers;
        _events = events;
        Leases = new KvLeases(blocks, clock);
    }

    public int BlockSize => _blocks.BlockSize;

    public int FreeBlocks => _blocks.FreeBlocks;

    public int UsedBlocks => _blocks.UsedBlocks;

    public int PinnedBlocks => _blocks.PinnedBlocks;

    /// <summary>Full blocks findable in the working pool, and cached blocks it has evicted.</summary>
    public int CachedBlocks => _blocks.Prefixes?.Count ?? 0;

    public long Evictions => _blocks.Evictions;

    /// <summary>Prompt tokens of every request admitted so far, and how many of them came from the prefix cache.</summary>
    public long AdmittedPromptTokens { get; private set; }

    public long CachedPromptTokens { get; private set; }

    /// <summary>Prompts' blocks held for peers to pull (on a prefill node).</summary>
    public KvLeases Leases { get; }

    /// <summary>The tiers below the working pool, or null when there are none.</summary>
    public KvTierList? Tiers => _tiers;

    /// <summary>Where the block keys of a tenant's request with this salt chain from.</summary>
    public BlockKey Root(string tenant, string cacheSalt) => _identity.Root(tenant, cacheSalt);

    /// <summary>
    /// The longest cached prefix of a waiting sequence, leaving at least its last token to compute; null while some of
    /// it is still loading from a lower tier (a load is started when one can help) or while another running sequence
    /// is computing its next block, which it will then find cached.
    /// </summary>
    public PrefixMatch? Match(Sequence sequence)
    {
        var cached = FindCachedPrefix(sequence);
        if (TakeLoadedBlocks(sequence, cached.Count, out var load) is not { } loaded)
            return null;
        var fromCache = cached.Count + loaded.Count;
        if (fromCache < PromptBlocks(sequence) && _inFlight.IsComputedByOther(sequence.BlockKeys[fromCache], sequence))
            return null;
        return new PrefixMatch(cached, loaded, fromCache * BlockSize, load);
    }

    /// <summary>Whether the free blocks suffice to attach <paramref name="match"/> and compute <paramref name="count"/> tokens after it.</summary>
    public bool CanAdmit(PrefixMatch match, int count)
    {
        var fromCache = match.Cached.Count + match.Loaded.Count;
        var needed = _blocks.AttachCost(match.Cached) + match.Loaded.Count + _blocks.BlocksFor(match.Start + count) - fromCache;
        return needed <= _blocks.FreeBlocks;
    }

    /// <summary>Gives a waiting sequence its cached prefix and the blocks for its first <paramref name="count"/> tokens after it.</summary>
    public void Admit(Sequence sequence, PrefixMatch match, int count, SchedulerPlan plan)
    {
        _blocks.Attach(sequence.Table, match.Cached);
        foreach (var load in match.Loaded)
        {
            plan.Loads.Add((_blocks.AttachLoaded(sequence.Table, load.Block, _evicted), load.Payload));
            _events?.Invoke(new KvEvent(KvEventKind.Stored, load.Block.Key, KvEvent.Pool));
        }
        sequence.ComputedCount = match.Start;
        if (sequence.CachedPromptTokens is null)
        {
            sequence.CachedPromptTokens = match.Start;
            AdmittedPromptTokens += sequence.PromptLength;
            CachedPromptTokens += match.Start;
        }
        _inFlight.Claim(sequence, match.Start / BlockSize, PromptBlocks(sequence));
        _blocks.Reserve(sequence.Table, match.Start, match.Start + count, plan.Copies, Evicted);
        Demote();
    }

    /// <summary>Whether a running sequence's table can grow by <paramref name="count"/> positions without preempting anyone.</summary>
    public bool CanGrow(Sequence sequence, int count) =>
        _blocks.CanReserve(sequence.Table, sequence.ComputedCount, sequence.ComputedCount + count);

    /// <summary>Free blocks a running sequence takes to grow by <paramref name="count"/> positions (new ones and private copies of shared ones).</summary>
    public int BlocksToGrow(Sequence sequence, int count) =>
        _blocks.BlocksNeeded(sequence.Table, sequence.ComputedCount, sequence.ComputedCount + count);

    /// <summary>
    /// How many positions a running sequence can compute one per step before a step would allocate, copy or fill a
    /// block (and so maybe publish a KV event): the rest of its last block, short of the position that fills it.
    /// </summary>
    public int QuietGrowth(Sequence sequence)
    {
        var computed = sequence.ComputedCount;
        if (BlocksToGrow(sequence, 1) > 0)
            return 0;
        return Math.Min(sequence.Table.Count * BlockSize - computed, BlockSize - 1 - computed % BlockSize);
    }

    public void Grow(Sequence sequence, int count, SchedulerPlan plan)
    {
        _blocks.Reserve(sequence.Table, sequence.ComputedCount, sequence.ComputedCount + count, plan.Copies, Evicted);
        Demote();
    }

    /// <summary>
    /// Records that positions [<paramref name="start"/>, <paramref name="computed"/>) now hold K/V: blocks past them
    /// (drafts the step did not accept) leave the table, and blocks that became full become findable.
    /// </summary>
    public void Commit(Sequence sequence, int start, int computed)
    {
        if (sequence.Table.Count > _blocks.BlocksFor(computed))
            _blocks.Truncate(sequence.Table, computed);
        sequence.ComputedCount = computed;
        RegisterFullBlocks(sequence, start / BlockSize, computed / BlockSize);
    }

    /// <summary>Gives <paramref name="fork"/> a table sharing every block of <paramref name="parent"/>'s.</summary>
    public void Fork(Sequence parent, Sequence fork) => fork.AdoptTable(_blocks.Fork(parent.Table), parent.ComputedCount);

    /// <summary>Frees a sequence's blocks (finished, cancelled or preempted); it keeps its tokens, so it can be recomputed.</summary>
    public void Release(Sequence sequence)
    {
        _inFlight.Release(sequence);
        _blocks.Free(sequence.Table);
        sequence.ComputedCount = 0;
    }

    /// <summary>Drops pins and leases past their deadline.</summary>
    public void ExpireDue()
    {
        _pins.ExpireDue(_blocks);
        Leases.ExpireDue();
    }

    /// <summary>
    /// Leases the cached full blocks of a prompt (those a peer can attach: all but the one holding its last token) for
    /// <paramref name="ttl"/>; the lease holds the longest run of them still in the working pool, possibly none.
    /// </summary>
    public KvLease Lease(BlockKey root, int[] prompt, TimeSpan ttl)
    {
        var keys = new List<BlockKey>();
        var fullBlocks = (prompt.Length - 1) / BlockSize;
        _identity.Extend(keys, root, prompt, fullBlocks);
        var cached = _blocks.FindCached(keys, prompt);
        var entries = keys.Select((key, i) => new CachedBlock(key, i == 0 ? root : keys[i - 1], prompt.AsMemory(i * BlockSize, BlockSize))).ToList();
        return Leases.Grant(cached, entries, ttl);
    }

    /// <summary>Empties the working pool's prefix cache, moving the blocks down as eviction would; with <paramref name="privateTiers"/> host memory is emptied too.</summary>
    public void ResetPrefixCache(bool privateTiers)
    {
        _blocks.EvictUnreferenced(_evicted);
        Demote();
        if (privateTiers)
            _tiers?.ClearPrivate();
    }

    /// <summary>Throws unless block references match exactly what <paramref name="liveTables"/>, the pins and the leases hold.</summary>
    public void CheckIntegrity(IEnumerable<BlockTable> liveTables) => _blocks.CheckIntegrity(liveTables.Concat(Leases.Tables));

    /// <summary>Where the pool lists the blocks it gives up, when someone hears of them or keeps them (see <see cref="Demote"/>); otherwise none is listed.</summary>
    private List<EvictedBlock>? Evicted => _events is null && _tiers is null ? null : _evicted;

    /// <summary>Moves the blocks the pool just gave up down a tier, while their contents are still intact (before the next forward pass).</summary>
    private void Demote()
    {
        if (_evicted.Count == 0)
            return;
        if (_events is not null)
        {
            foreach (var evicted in _evicted)
                _events(new KvEvent(KvEventKind.Removed, evicted.Entry.Key, KvEvent.Pool));
        }
        _tiers?.Demote(_evicted);
        _evicted.Clear();
    }

    /// <summary>
    /// The blocks a finished load brought up that continue the cached prefix at <paramref name="next"/>; an empty
    /// list when there is nothing to load; null while a load is still running (one is started if lower tiers can help).
    /// <paramref name="completed"/> is the load whose blocks these are, if any.
    /// </summary>
    private IReadOnlyList<LoadedBlock>? TakeLoadedBlocks(Sequence sequence, int next, out PrefixFetch? completed)
    {
        completed = sequence.Fetch;
        if (sequence.Fetch is { } fetch)
        {
            if (!fetch.Loads.IsCompleted)
                return null;
            sequence.Fetch = null;
            _tiers!.RecordPrefetch(fetch);
            var loaded = fetch.Loads.IsCompletedSuccessfully ? fetch.Loads.Result : [];
            // Blocks may have left or joined the working pool while loading: use only what continues the prefix.
            return next < fetch.FirstBlock ? [] : loaded.Skip(next - fetch.FirstBlock).ToList();
        }
        completed = null;
        var fullBlocks = CacheableBlocks(sequence);
        if (_tiers is null || next >= fullBlocks)
            return [];
        var available = _tiers.CountAvailable(sequence.BlockKeys.GetRange(0, fullBlocks), next);
        if (available == 0)
            return [];
        sequence.Fetch = _tiers.Fetch(sequence.BlockKeys, sequence.Caching.Root, sequence.Tokens, next, available, BlockSize);
        return null;
    }

    /// <summary>The cached blocks holding the longest prefix of the sequence, leaving at least its last token to compute.</summary>
    private List<int> FindCachedPrefix(Sequence sequence)
    {
        if (_blocks.Prefixes is null)
            return [];
        var fullBlocks = CacheableBlocks(sequence);
        _identity.Extend(sequence.BlockKeys, sequence.Caching.Root, sequence.Tokens, fullBlocks);
        return _blocks.FindCached(sequence.BlockKeys.GetRange(0, fullBlocks), sequence.Tokens);
    }

    /// <summary>Full blocks of the sequence that may come from a cache: its last token is always computed, for its logits.</summary>
    private int CacheableBlocks(Sequence sequence) => (sequence.Length - 1) / BlockSize;

    /// <summary>The blocks whose computation concurrent sequences share: none without prefix caching.</summary>
    private int PromptBlocks(Sequence sequence) => _blocks.Prefixes is null ? 0 : CacheableBlocks(sequence);

    private void RegisterFullBlocks(Sequence sequence, int from, int to)
    {
        if (_blocks.Prefixes is null || to <= from)
            return;
        var size = BlockSize;
        var caching = sequence.Caching;
        var tokens = sequence.TokenMemory;
        _identity.Extend(sequence.BlockKeys, caching.Root, tokens.Span, to);
        for (var i = from; i < to; i++)
        {
            var key = sequence.BlockKeys[i];
            var parent = i == 0 ? caching.Root : sequence.BlockKeys[i - 1];
            var block = sequence.Table[i];
            var blockTokens = tokens.Slice(i * size, size);
            // A CachedBlock only for the tiers that keep one: the pool's index holds the entry as values.
            if (_blocks.Register(block, key, parent, blockTokens))
            {
                _events?.Invoke(new KvEvent(KvEventKind.Stored, key, KvEvent.Pool));
                _tiers?.WriteThrough(block, new CachedBlock(key, parent, blockTokens), _pins.TtlFor(caching.Ttl));
            }
            _inFlight.Done(key, sequence);
            if (caching.Pin && (i + 1) * size <= sequence.PromptLength)
                _pins.Pin(_blocks, block, caching.Ttl);
        }
    }
}
