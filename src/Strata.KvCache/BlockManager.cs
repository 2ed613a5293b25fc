using Strata.KvCache.Prefix;

namespace Strata.KvCache;

/// <summary>
/// Gives sequences the blocks their positions need. Every method comes as a check/act pair
/// (<see cref="CanReserve"/> / <see cref="Reserve"/>) so the caller can decide before it commits. The invariant:
/// a table covering L positions holds exactly ceil(L / BlockSize) blocks. A method that takes blocks out of the free
/// queue may evict cached blocks; it appends them to the caller's list, whose contents are still intact, so the caller
/// can move them to a lower tier. Not thread-safe: the engine loop owns it.
/// </summary>
public sealed class BlockManager
{
    private readonly Dictionary<int, DateTimeOffset> _pinnedUntil = [];

    public BlockManager(int blockCount, int blockSize, bool prefixCaching = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        Pool = new BlockPool(blockCount);
        BlockSize = blockSize;
        if (prefixCaching)
            Prefixes = new PrefixIndex(blockCount);
    }

    internal BlockPool Pool { get; }

    /// <summary>The index of cached full blocks, or null when prefix caching is off.</summary>
    public PrefixIndex? Prefixes { get; }

    /// <summary>Cached blocks dropped from the working pool so far.</summary>
    public long Evictions { get; private set; }

    public int PinnedBlocks => _pinnedUntil.Count;

    public int BlockSize { get; }

    public int FreeBlocks => Pool.FreeCount;

    public int UsedBlocks => Pool.UsedCount;

    public int BlocksFor(int positions) => (positions + BlockSize - 1) / BlockSize;

    /// <summary>Free blocks needed so that <paramref name="table"/> covers <paramref name="positions"/> positions and can write from <paramref name="writeFrom"/> on.</summary>
    public int BlocksNeeded(BlockTable table, int writeFrom, int positions)
    {
        var needed = Math.Max(0, BlocksFor(positions) - table.Count);
        for (var i = writeFrom / BlockSize; i < Math.Min(table.Count, BlocksFor(positions)); i++)
        {
            if (Pool.RefCount(table[i]) > 1)
                needed++;
        }
        return needed;
    }

    public bool CanReserve(BlockTable table, int writeFrom, int positions) =>
        BlocksNeeded(table, writeFrom, positions) <= Pool.FreeCount;

    /// <summary>
    /// Grows <paramref name="table"/> to cover <paramref name="positions"/> positions and gives it private copies of
    /// any shared block in the range it is about to write; the copies the caller must perform are appended to
    /// <paramref name="copies"/>, cached blocks given up for them to <paramref name="evicted"/> (null when nobody moves
    /// or announces them: a large simulated cluster evicts tens of millions of blocks, each otherwise a new object).
    /// </summary>
    public void Reserve(BlockTable table, int writeFrom, int positions, List<BlockCopy> copies, List<EvictedBlock>? evicted)
    {
        if (!CanReserve(table, writeFrom, positions))
            throw new InvalidOperationException($"not enough free KV blocks for {positions} positions");
        for (var i = writeFrom / BlockSize; i < table.Count; i++)
        {
            var shared = table[i];
            if (Pool.RefCount(shared) == 1)
                continue;
            var copy = Allocate(evicted);
            Pool.Release(shared);
            table.Replace(i, copy);
            copies.Add(new BlockCopy(shared, copy));
        }
        while (table.Count < BlocksFor(positions))
            table.Add(Allocate(evicted));
    }

    /// <summary>Shrinks <paramref name="table"/> to cover <paramref name="positions"/> positions (draft tokens that were not accepted), releasing the blocks past them last first.</summary>
    public void Truncate(BlockTable table, int positions)
    {
        var keep = BlocksFor(positions);
        if (keep > table.Count)
            throw new ArgumentOutOfRangeException(nameof(positions), positions, $"the table covers only {table.Count} blocks");
        for (var i = table.Count - 1; i >= keep; i--)
            Pool.Release(table[i]);
        table.Shrink(keep);
    }

    /// <summary>The blocks holding the longest run of <paramref name="keys"/> from the start (each verified against its tokens).</summary>
    public List<int> FindCached(IReadOnlyList<BlockKey> keys, ReadOnlySpan<int> tokens)
    {
        var found = new List<int>();
        if (Prefixes is null)
            return found;
        for (var i = 0; i < keys.Count; i++)
        {
            var block = Prefixes.Find(keys[i], tokens.Slice(i * BlockSize, BlockSize));
            if (block < 0)
                break;
            found.Add(block);
        }
        return found;
    }

    /// <summary>How many free blocks attaching <paramref name="cached"/> takes out of the free queue.</summary>
    public int AttachCost(IReadOnlyList<int> cached) => cached.Count(block => Pool.RefCount(block) == 0);

    /// <summary>Starts an empty table with cached blocks, taking a reference to each.</summary>
    public void Attach(BlockTable table, IReadOnlyList<int> cached)
    {
        if (table.Count != 0)
            throw new InvalidOperationException("cached blocks can only start a table");
        foreach (var block in cached)
        {
            if (Pool.RefCount(block) == 0)
                Pool.Revive(block);
            else
                Pool.Retain(block);
            table.Add(block);
        }
    }

    /// <summary>Appends a fresh block that will receive a payload loaded from a lower tier, and makes it findable.</summary>
    public int AttachLoaded(BlockTable table, CachedBlock entry, List<EvictedBlock> evicted)
    {
        var block = Allocate(evicted);
        table.Add(block);
        Prefixes?.TryRegister(block, entry);
        return block;
    }

    /// <summary>Makes a full block findable by its key, parent key and tokens (no <see cref="CachedBlock"/> is made for it); false if caching is off or the key is already cached.</summary>
    public bool Register(int block, BlockKey key, BlockKey parent, ReadOnlyMemory<int> tokens) => Prefixes?.TryRegister(block, key, parent, tokens) ?? false;

    /// <summary>Keeps a block resident until <paramref name="until"/> by holding a reference of the cache's own.</summary>
    public void Pin(int block, DateTimeOffset until)
    {
        if (_pinnedUntil.TryGetValue(block, out var current))
        {
            _pinnedUntil[block] = current > until ? current : until;
            return;
        }
        Pool.Retain(block);
        _pinnedUntil[block] = until;
    }

    /// <summary>Drops pins that have expired.</summary>
    public void ExpirePins(DateTimeOffset now)
    {
        // Called every step: with no pins, nothing to filter (and nothing to allocate).
        if (_pinnedUntil.Count == 0)
            return;
        foreach (var (block, until) in _pinnedUntil.Where(p => p.Value <= now).ToList())
        {
            _pinnedUntil.Remove(block);
            Pool.Release(block);
        }
    }

    /// <summary>Forgets every cached block nobody references, appending each to <paramref name="evicted"/>.</summary>
    public void EvictUnreferenced(List<EvictedBlock> evicted)
    {
        if (Prefixes is null)
            return;
        foreach (var block in Pool.FreeQueue().ToList())
            Evict(block, evicted);
    }

    /// <summary>A new table sharing every block of <paramref name="table"/> (for n &gt; 1 choices of one prompt).</summary>
    public BlockTable Fork(BlockTable table)
    {
        var fork = new BlockTable();
        foreach (var block in table.InUse)
        {
            Pool.Retain(block);
            fork.Add(block);
        }
        return fork;
    }

    /// <summary>Releases every block of the table, last block first, and empties it.</summary>
    public void Free(BlockTable table)
    {
        // Releasing from the tail queues a sequence's later blocks ahead of its earlier ones, so eviction takes
        // the leaves of a shared prefix before the blocks they depend on.
        for (var i = table.Count - 1; i >= 0; i--)
            Pool.Release(table[i]);
        table.Clear();
    }

    /// <summary>Throws unless every block's reference count equals the tables and pins holding it, and pool and index are consistent.</summary>
    public void CheckIntegrity(IEnumerable<BlockTable> liveTables)
    {
        Pool.CheckIntegrity();
        Prefixes?.CheckIntegrity();
        var references = new int[Pool.Capacity];
        foreach (var block in _pinnedUntil.Keys)
            references[block]++;
        foreach (var table in liveTables)
        {
            foreach (var block in table.InUse)
                references[block]++;
        }
        for (var block = 0; block < Pool.Capacity; block++)
        {
            if (references[block] != Pool.RefCount(block))
                throw new InvalidOperationException($"block {block} has {Pool.RefCount(block)} references but {references[block]} tables and pins hold it");
        }
    }

    /// <summary>Takes the least recently released free block; a cached one leaves the prefix index.</summary>
    private int Allocate(List<EvictedBlock>? evicted)
    {
        var block = Pool.Allocate();
        if (Prefixes is not null)
            Evict(block, evicted);
        return block;
    }

    private void Evict(int block, List<EvictedBlock>? evicted)
    {
        if (evicted is null)
        {
            if (Prefixes!.Remove(block))
                Evictions++;
            return;
        }
        if (Prefixes!.Forget(block) is not { } entry)
            return;
        Evictions++;
        evicted.Add(new EvictedBlock(block, entry));
    }
}
