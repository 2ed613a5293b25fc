namespace Strata.Grammar.Matching;

/// <summary>
/// Every token's bytes in one prefix tree laid out in flat arrays, so a grammar state's mask is one walk that
/// shares the work of all tokens with a common prefix and skips a whole subtree at its first impossible byte.
/// </summary>
internal sealed class TokenTrie
{
    public TokenTrie(byte[][] pieces)
    {
        var children = new List<SortedDictionary<byte, int>> { new() };
        var tokens = new List<List<int>> { new() };
        for (var id = 0; id < pieces.Length; id++)
        {
            if (pieces[id].Length == 0)
                continue;
            var node = 0;
            foreach (var b in pieces[id])
            {
                if (!children[node].TryGetValue(b, out var child))
                {
                    child = children.Count;
                    children[node][b] = child;
                    children.Add(new SortedDictionary<byte, int>());
                    tokens.Add([]);
                }
                node = child;
            }
            tokens[node].Add(id);
        }

        NodeCount = children.Count;
        EdgeStart = new int[NodeCount + 1];
        TokenStart = new int[NodeCount + 1];
        EdgeByte = new byte[NodeCount - 1];
        EdgeChild = new int[NodeCount - 1];
        Tokens = new int[tokens.Sum(t => t.Count)];
        int edge = 0, token = 0;
        for (var node = 0; node < NodeCount; node++)
        {
            EdgeStart[node] = edge;
            foreach (var (b, child) in children[node])
            {
                EdgeByte[edge] = b;
                EdgeChild[edge++] = child;
            }
            TokenStart[node] = token;
            foreach (var id in tokens[node])
                Tokens[token++] = id;
        }
        EdgeStart[NodeCount] = edge;
        TokenStart[NodeCount] = token;

        // Children are always created after their parents, so one backward pass sees every subtree complete.
        DepthBelow = new int[NodeCount];
        for (var node = NodeCount - 1; node >= 0; node--)
        {
            for (var e = EdgeStart[node]; e < EdgeStart[node + 1]; e++)
                DepthBelow[node] = Math.Max(DepthBelow[node], 1 + DepthBelow[EdgeChild[e]]);
        }
    }

    public int NodeCount { get; }

    /// <summary>Node n's edges are EdgeStart[n]..EdgeStart[n+1], sorted by byte.</summary>
    public int[] EdgeStart { get; }

    public byte[] EdgeByte { get; }

    public int[] EdgeChild { get; }

    /// <summary>The tokens whose bytes end at node n are Tokens[TokenStart[n]..TokenStart[n+1]].</summary>
    public int[] TokenStart { get; }

    public int[] Tokens { get; }

    /// <summary>The most bytes any token adds below node n.</summary>
    public int[] DepthBelow { get; }
}
