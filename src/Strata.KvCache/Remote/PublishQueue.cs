namespace Strata.KvCache.Remote;

/// <summary>
/// The blocks waiting to be published, bounded by payload bytes: when the store is slower than the engine fills
/// blocks, new blocks are refused (the caller counts them dropped) rather than memory growing or the engine waiting.
/// </summary>
internal sealed class PublishQueue(long capacityBytes)
{
    private readonly object _gate = new();
    private readonly Queue<PendingPublish> _items = new();
    private long _bytes;
    private bool _busy;
    private bool _closed;

    public bool TryAdd(PendingPublish item)
    {
        lock (_gate)
        {
            if (_closed || _bytes + item.Payload.Length > capacityBytes)
                return false;
            _items.Enqueue(item);
            _bytes += item.Payload.Length;
            // The publisher only waits on an empty queue: wake it on the first block, not on every one.
            if (_items.Count == 1)
                Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>Waits for blocks and takes up to a batch of them; null once closed and empty.</summary>
    public List<PendingPublish>? TakeBatch(int maxBlocks, long maxBytes)
    {
        lock (_gate)
        {
            while (_items.Count == 0 && !_closed)
                Monitor.Wait(_gate);
            if (_items.Count == 0)
                return null;
            var batch = new List<PendingPublish>();
            long batchBytes = 0;
            while (_items.TryPeek(out var next) && batch.Count < maxBlocks && (batch.Count == 0 || batchBytes + next.Payload.Length <= maxBytes))
            {
                batch.Add(_items.Dequeue());
                batchBytes += next.Payload.Length;
            }
            _bytes -= batchBytes;
            _busy = true;
            return batch;
        }
    }

    /// <summary>The batch last taken is done with.</summary>
    public void Completed()
    {
        lock (_gate)
        {
            _busy = false;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until every block added so far has been handled; false if that takes longer than <paramref name="timeout"/>.</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (_items.Count > 0 || _busy)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    return false;
                Monitor.Wait(_gate, left);
            }
            return true;
        }
    }

    /// <summary>Refuses new blocks; the ones queued are still handed out.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
