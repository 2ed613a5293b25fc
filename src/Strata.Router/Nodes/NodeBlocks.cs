using Strata.KvCache.Prefix;

namespace Strata.Router.Nodes;

/// <summary>
/// Which blocks one node holds, and in which tiers, as its KV events tell it, and what the router sent it since
/// (prompts it is computing). Read and written by request threads and the node's watcher.
/// </summary>
internal sealed class NodeBlocks
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BlockKey, TierSet> _blocks = [];

    public int Count
    {
        get
        {
            lock (_lock)
                return _blocks.Count;
        }
    }

    public void Stored(BlockKey key, TierSet tier)
    {
        lock (_lock)
            _blocks[key] = _blocks.GetValueOrDefault(key) | tier;
    }

    /// <summary>Assumes the node will hold <paramref name="keys"/> in its pool: it was just sent a prompt with them.</summary>
    public void Routed(IReadOnlyList<BlockKey> keys)
    {
        lock (_lock)
            foreach (var key in keys)
                _blocks[key] = _blocks.GetValueOrDefault(key) | TierSet.Pool;
    }

    public void Removed(BlockKey key, TierSet tier)
    {
        lock (_lock)
        {
            if (!_blocks.TryGetValue(key, out var tiers))
                return;
            tiers &= ~tier;
            if (tiers == TierSet.None)
                _blocks.Remove(key);
            else
                _blocks[key] = tiers;
        }
    }

    public void Clear()
    {
        lock (_lock)
            _blocks.Clear();
    }

    /// <summary>
    /// How many of the prefix's blocks the node would not have to compute: the longest chain of
    /// <paramref name="keys"/> it holds anywhere, each block counted by the credit of the best tier holding it.
    /// </summary>
    public double CachedBlocks(IReadOnlyList<BlockKey> keys)
    {
        var cached = 0.0;
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (!_blocks.TryGetValue(key, out var tiers))
                    break;
                cached += TierCredit.Of(tiers);
            }
        }
        return cached;
    }
}
