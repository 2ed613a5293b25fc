using Strata.KvCache.Prefix;

namespace Strata.KvCache.Host;

/// <summary>
/// The second tier: a bounded pool of host memory holding blocks evicted from the working pool, least recently used
/// dropped first, optionally as int8 with per-group scales. Thread-safe: the engine stores on eviction while
/// prefetches read it from other threads.
/// </summary>
public sealed class HostBlockStore(long capacityBytes, KvLayout shape, bool int8)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BlockKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;
    private long _hits;
    private long _misses;
    private long _stores;
    private long _evictions;
    private long _bytesRead;
    private long _bytesWritten;

    public HostStoreStats Stats
    {
        get
        {
            lock (_lock)
                return new HostStoreStats(_entries.Count, _bytes, _hits, _misses, _stores, _evictions, _bytesRead, _bytesWritten);
        }
    }

    public bool Contains(BlockKey key)
    {
        lock (_lock)
            return _entries.ContainsKey(key);
    }

    /// <summary>Keeps a copy of a block's payload, dropping the least recently used blocks to make room.</summary>
    public void Store(CachedBlock block, ReadOnlySpan<byte> payload)
    {
        var data = new byte[int8 ? Int8BlockCodec.EncodedBytes(shape) : payload.Length];
        if (data.Length > capacityBytes)
            return;
        if (int8)
            Int8BlockCodec.Encode(payload, shape, data);
        else
            payload.CopyTo(data);
        lock (_lock)
        {
            if (_entries.TryGetValue(block.Key, out var existing))
            {
                _recency.Remove(existing);
                _recency.AddLast(existing);
                return;
            }
            while (_bytes + data.Length > capacityBytes && _recency.First is { } oldest)
            {
                Remove(oldest);
                _evictions++;
            }
            _entries[block.Key] = _recency.AddLast(new Entry(block, data));
            _bytes += data.Length;
            _stores++;
            _bytesWritten += payload.Length;
        }
    }

    /// <summary>Copies a block's payload out (decoded to the working pool's format) if the tokens match.</summary>
    public bool TryRead(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload, out CachedBlock block)
    {
        byte[] data;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node) || !node.Value.Block.Tokens.Span.SequenceEqual(tokens))
            {
                _misses++;
                block = null!;
                return false;
            }
            _recency.Remove(node);
            _recency.AddLast(node);
            _hits++;
            _bytesRead += payload.Length;
            block = node.Value.Block;
            data = node.Value.Data;
        }
        if (int8)
            Int8BlockCodec.Decode(data, shape, payload);
        else
            data.CopyTo(payload);
        return true;
    }

    /// <summary>Drops every block.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _recency.Clear();
            _bytes = 0;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Block.Key);
        _bytes -= node.Value.Data.Length;
    }

    private sealed record Entry(CachedBlock Block, byte[] Data);
}
