namespace Strata.KvCache;

/// <summary>
/// Gives sequences the blocks their positions need. Every method comes as a check/act pair
/// (<see cref="CanReserve"/> / <see cref="Reserve"/>) so the scheduler can decide before it commits. The invariant:
/// a table covering L positions holds exactly ceil(L / BlockSize) blocks. Not thread-safe: the engine loop owns it.
/// </summary>
public sealed class BlockManager
{
    public BlockManager(int blockCount, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        Pool = new BlockPool(blockCount);
        BlockSize = blockSize;
    }

    public BlockPool Pool { get; }

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
    /// <paramref name="copies"/>.
    /// </summary>
    public void Reserve(BlockTable table, int writeFrom, int positions, List<BlockCopy> copies)
    {
        if (!CanReserve(table, writeFrom, positions))
            throw new InvalidOperationException($"not enough free KV blocks for {positions} positions");
        for (var i = writeFrom / BlockSize; i < table.Count; i++)
        {
            var shared = table[i];
            if (Pool.RefCount(shared) == 1)
                continue;
            var copy = Pool.Allocate();
            Pool.Release(shared);
            table.Replace(i, copy);
            copies.Add(new BlockCopy(shared, copy));
        }
        while (table.Count < BlocksFor(positions))
            table.Add(Pool.Allocate());
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

    /// <summary>Throws unless every block's reference count equals the number of tables holding it and the pool is consistent.</summary>
    public void CheckIntegrity(IEnumerable<BlockTable> liveTables)
    {
        Pool.CheckIntegrity();
        var references = new int[Pool.Capacity];
        foreach (var table in liveTables)
        {
            foreach (var block in table.InUse)
                references[block]++;
        }
        for (var block = 0; block < Pool.Capacity; block++)
        {
            if (references[block] != Pool.RefCount(block))
                throw new InvalidOperationException($"block {block} has {Pool.RefCount(block)} references but {references[block]} tables hold it");
        }
    }
}
