namespace Strata.KvCache.Prefix;

/// <summary>
/// Finds full blocks of the working pool by content key. A block keeps its entry while it sits unreferenced in the
/// free queue, so it can still be hit until the pool reuses it; a hit is only trusted after its tokens are compared.
/// </summary>
public sealed class PrefixIndex(int blockCount)
{
    // Sized for every block at once: a full pool never regrows it.
    private readonly Dictionary<BlockKey, int> _blockOf = new(blockCount);

    // Entries are kept as values in one array rather than as an object per block: a large pool (or a simulated cluster
    // of them) would otherwise hold millions of long-lived objects for the garbage collector to trace and promote.
    private readonly Entry?[] _entries = new Entry?[blockCount];

    public int Count => _blockOf.Count;

    /// <summary>Records that <paramref name="block"/> holds <paramref name="entry"/>; false if another block already holds that key.</summary>
    public bool TryRegister(int block, CachedBlock entry) => TryRegister(block, entry.Key, entry.Parent, entry.Tokens);

    /// <summary>Records that <paramref name="block"/> holds the block keyed <paramref name="key"/> (see <see cref="CachedBlock"/>); false if another block already holds that key.</summary>
    public bool TryRegister(int block, BlockKey key, BlockKey parent, ReadOnlyMemory<int> tokens)
    {
        if (_entries[block] is not null || !_blockOf.TryAdd(key, block))
            return false;
        _entries[block] = new Entry(key, parent, tokens);
        return true;
    }

    /// <summary>The block holding <paramref name="key"/> with exactly <paramref name="tokens"/>, or -1.</summary>
    public int Find(BlockKey key, ReadOnlySpan<int> tokens) =>
        _blockOf.TryGetValue(key, out var block) && _entries[block]!.Value.Tokens.Span.SequenceEqual(tokens) ? block : -1;

    /// <summary>Drops a block's entry (it is about to be reused) and returns it, if it had one.</summary>
    public CachedBlock? Forget(int block)
    {
        if (_entries[block] is not { } entry)
            return null;
        Remove(block);
        return new CachedBlock(entry.Key, entry.Parent, entry.Tokens);
    }

    /// <summary>Drops a block's entry, as <see cref="Forget"/> does, without making a <see cref="CachedBlock"/> of it; false if it had none.</summary>
    public bool Remove(int block)
    {
        if (_entries[block] is not { } entry)
            return false;
        _entries[block] = null;
        _blockOf.Remove(entry.Key);
        return true;
    }

    public void CheckIntegrity()
    {
        foreach (var (key, block) in _blockOf)
        {
            if (_entries[block]?.Key != key)
                throw new InvalidOperationException($"prefix index maps {key} to block {block}, which holds {_entries[block]?.Key.ToString() ?? "nothing"}");
        }
        var entries = _entries.Count(e => e is not null);
        if (entries != _blockOf.Count)
            throw new InvalidOperationException($"prefix index has {_blockOf.Count} keys but {entries} block entries");
    }

    private readonly record struct Entry(BlockKey Key, BlockKey Parent, ReadOnlyMemory<int> Tokens);
}
