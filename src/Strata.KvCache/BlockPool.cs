namespace Strata.KvCache;

/// <summary>
/// Reference counts for a fixed number of KV blocks and the queue of unreferenced ones. A block is either in use
/// (count ≥ 1) or in the free queue; blocks enter the queue at the back when released and are handed out from the
/// front, so the least recently released block is reused first. That order is the LRU eviction order of cached
/// blocks; <see cref="Revive"/> takes a block back out of the queue in O(1) when a cache hit wants it. A block handed
/// out again may still be in the prefix index: its owner (<see cref="BlockManager"/>) evicts that entry.
/// </summary>
internal sealed class BlockPool
{
    private const int None = -1;

    private readonly int[] _refCounts;
    private readonly int[] _previous;
    private readonly int[] _next;
    private int _head = None;
    private int _tail = None;

    public BlockPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _refCounts = new int[capacity];
        _previous = new int[capacity];
        _next = new int[capacity];
        for (var block = 0; block < capacity; block++)
            Enqueue(block);
    }

    public int Capacity => _refCounts.Length;

    /// <summary>Blocks with no references (including cached ones that can be evicted).</summary>
    public int FreeCount { get; private set; }

    public int UsedCount => Capacity - FreeCount;

    public int RefCount(int block) => _refCounts[block];

    /// <summary>Takes the least recently released free block, with a reference count of 1.</summary>
    public int Allocate()
    {
        if (_head == None)
            throw new InvalidOperationException("no free KV blocks");
        var block = _head;
        Unlink(block);
        _refCounts[block] = 1;
        return block;
    }

    /// <summary>Adds a reference to a block in use.</summary>
    public void Retain(int block)
    {
        if (_refCounts[block] < 1)
            throw new InvalidOperationException($"block {block} is free and cannot be shared");
        _refCounts[block]++;
    }

    /// <summary>Takes a free block that is still wanted (a cache hit) out of the free queue.</summary>
    public void Revive(int block)
    {
        if (_refCounts[block] != 0)
            throw new InvalidOperationException($"block {block} is in use");
        Unlink(block);
        _refCounts[block] = 1;
    }

    /// <summary>Drops a reference; the last one puts the block at the back of the free queue.</summary>
    public void Release(int block)
    {
        if (_refCounts[block] < 1)
            throw new InvalidOperationException($"block {block} released more often than it was referenced");
        if (--_refCounts[block] == 0)
            Enqueue(block);
    }

    /// <summary>Free blocks from the next to be reused to the last.</summary>
    public IEnumerable<int> FreeQueue()
    {
        for (var block = _head; block != None; block = _next[block])
            yield return block;
    }

    /// <summary>Throws if the free queue and the reference counts disagree.</summary>
    public void CheckIntegrity()
    {
        var queued = new HashSet<int>();
        var previous = None;
        for (var block = _head; block != None; block = _next[block])
        {
            if (!queued.Add(block))
                throw new InvalidOperationException($"block {block} appears twice in the free queue");
            if (_refCounts[block] != 0)
                throw new InvalidOperationException($"block {block} is queued as free with {_refCounts[block]} references");
            if (_previous[block] != previous)
                throw new InvalidOperationException($"free queue links broken at block {block}");
            previous = block;
        }
        if (previous != _tail || queued.Count != FreeCount)
            throw new InvalidOperationException($"free queue holds {queued.Count} blocks, expected {FreeCount}");
        for (var block = 0; block < Capacity; block++)
        {
            if (_refCounts[block] == 0 && !queued.Contains(block))
                throw new InvalidOperationException($"block {block} has no references but is not free (leaked)");
        }
    }

    private void Enqueue(int block)
    {
        _previous[block] = _tail;
        _next[block] = None;
        if (_tail == None)
            _head = block;
        else
            _next[_tail] = block;
        _tail = block;
        FreeCount++;
    }

    private void Unlink(int block)
    {
        var previous = _previous[block];
        var next = _next[block];
        if (previous == None)
            _head = next;
        else
            _next[previous] = next;
        if (next == None)
            _tail = previous;
        else
            _previous[next] = previous;
        FreeCount--;
    }
}
