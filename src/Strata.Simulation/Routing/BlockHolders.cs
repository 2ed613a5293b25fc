using Strata.Engine;
using Strata.KvCache.Prefix;

namespace Strata.Simulation.Routing;

/// <summary>
/// Which nodes hold which blocks in their working pool, kept from the nodes' KV events as a router's indexer keeps it
/// from theirs (llm-d's KV indexer): a block key to the nodes that hold it.
/// </summary>
internal sealed class BlockHolders
{
    private readonly Dictionary<BlockKey, List<int>> _holders = [];

    public void Apply(int node, KvEvent e)
    {
        if (e.Tier != KvEvent.Pool)
            return;
        if (e.Kind == KvEventKind.Stored)
        {
            if (!_holders.TryGetValue(e.Key, out var nodes))
                _holders.Add(e.Key, nodes = []);
            if (!nodes.Contains(node))
                nodes.Add(node);
        }
        else if (_holders.TryGetValue(e.Key, out var nodes) && nodes.Remove(node) && nodes.Count == 0)
        {
            _holders.Remove(e.Key);
        }
    }

    /// <summary>The nodes that hold <paramref name="key"/> (empty when none).</summary>
    public IReadOnlyList<int> Of(BlockKey key) => _holders.TryGetValue(key, out var nodes) ? nodes : [];

    /// <summary>How many of <paramref name="keys"/>, from the first, <paramref name="node"/> holds: the prompt prefix it would not compute.</summary>
    public int Leading(IReadOnlyList<BlockKey> keys, int node)
    {
        var count = 0;
        while (count < keys.Count && Of(keys[count]).Contains(node))
            count++;
        return count;
    }
}
