using Strata.KvCache.Prefix;

namespace Strata.Simulation.Routing;

/// <summary>
/// Sends a request where its first token should come soonest by the cost model: the prompt tokens the node must
/// compute (its prompt less the longest prefix of full blocks the node holds, found by block key as a router computes
/// them from token ids) plus the prompt tokens already queued there, at the profiled cost per prefill token, plus the
/// node's running sequences at the cost per decoding sequence. Ties are broken in turn (the scan starts one node
/// further each time), so idle nodes share new prefixes instead of the first node taking them all.
/// </summary>
/// <param name="nodeCount">Nodes in the whole cluster (a router may rank a part of it: the decode or the prefill nodes).</param>
internal sealed class KvAwareRouter(CacheIdentity identity, BlockHolders holders, CostModel cost, int nodeCount) : IRouter
{
    private readonly BlockKey _root = identity.Root("", "");
    private readonly List<BlockKey> _keys = [];
    private readonly List<int> _candidates = [];
    private readonly int[] _matchedBlocks = new int[nodeCount];
    private int _start = -1;

    public TNode Route<TNode>(SimRequest request, IReadOnlyList<TNode> nodes) where TNode : INodeLoad
    {
        Match(request.Prompt);
        var best = nodes[0];
        var bestSeconds = double.PositiveInfinity;
        _start = (_start + 1) % nodes.Count;
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[(_start + i) % nodes.Count];
            var toCompute = node.PendingPromptTokens + request.Prompt.Length - (long)_matchedBlocks[node.Index] * identity.BlockSize;
            var seconds = toCompute * cost.PrefillTokenSeconds + node.InFlight * cost.DecodeSequenceSeconds;
            if (seconds < bestSeconds)
                (best, bestSeconds) = (node, seconds);
        }
        foreach (var node in _candidates)
            _matchedBlocks[node] = 0;
        return best;
    }

    /// <summary>Sets each node's count of leading prompt blocks it holds in <see cref="_matchedBlocks"/>; nodes with any are left in <see cref="_candidates"/>.</summary>
    private void Match(int[] prompt)
    {
        _candidates.Clear();
        _keys.Clear();
        // At least the last prompt token is always computed, so only blocks before it can be hits.
        var fullBlocks = (prompt.Length - 1) / identity.BlockSize;
        if (fullBlocks == 0)
            return;
        identity.Extend(_keys, _root, prompt, fullBlocks);
        _candidates.AddRange(holders.Of(_keys[0]));
        var alive = _candidates.Count;
        for (var depth = 0; depth < _keys.Count && alive > 0; depth++)
        {
            var holding = holders.Of(_keys[depth]);
            alive = 0;
            foreach (var node in _candidates)
            {
                if (_matchedBlocks[node] != depth || !holding.Contains(node))
                    continue;
                _matchedBlocks[node] = depth + 1;
                alive++;
            }
        }
    }
}
