namespace Strata.Engine.Speculation;

/// <summary>
/// Every token path of up to <paramref name="depth"/> tokens in the sequences it holds, each node counting how often its
/// path occurs — a suffix tree cut at a depth, shared by all requests (prompts and outputs) on the engine thread.
/// Sequences join and grow through <see cref="Extend"/> (the depth bounds the cost per token); when the nodes exceed
/// <paramref name="maxNodes"/> the least recently extended sequence is taken out again, so memory stays bounded.
/// A proposal follows the most frequent continuation of the longest path the context ends with.
/// </summary>
internal sealed class SuffixTree(int depth, int maxNodes)
{
    private const int Root = 0;
    private const int None = -1;

    /// <summary>A child is proposed only if at least this fraction of its parent's occurrences continue with it.</summary>
    private const float MinContinuation = 0.1f;

    private readonly Dictionary<long, int> _children = [];
    private readonly LinkedList<Entry> _recent = new();
    private readonly Stack<int> _free = new();
    private Node[] _nodes = [new Node(None, None)];
    private int _used = 1;

    /// <summary>Nodes in use, the root included.</summary>
    public int NodeCount => _used - _free.Count;

    /// <summary>One sequence's tokens in the tree, and the nodes of its suffixes that can still grow.</summary>
    public sealed class Entry
    {
        internal List<int> Tokens { get; } = [];

        internal List<int> Open { get; } = [];

        internal LinkedListNode<Entry>? Position { get; set; }

        /// <summary>Taken out of the tree to make room; it no longer grows.</summary>
        public bool Evicted { get; internal set; }
    }

    public Entry Add()
    {
        var entry = new Entry();
        entry.Position = _recent.AddLast(entry);
        return entry;
    }

    /// <summary>Appends <paramref name="tokens"/> to <paramref name="entry"/>: each adds the paths ending with it.</summary>
    public void Extend(Entry entry, ReadOnlySpan<int> tokens)
    {
        if (entry.Evicted)
            return;
        _recent.Remove(entry.Position!);
        _recent.AddLast(entry.Position!);
        foreach (var token in tokens)
        {
            entry.Tokens.Add(token);
            var open = entry.Open;
            // Every open suffix (depth below the limit) grows by the token; the token alone starts a new one.
            var kept = 0;
            for (var i = 0; i < open.Count; i++)
            {
                var child = Increment(open[i], token);
                if (_nodes[child].Depth < depth)
                    open[kept++] = child;
            }
            open.RemoveRange(kept, open.Count - kept);
            var single = Increment(Root, token);
            if (depth > 1)
                open.Add(single);
            while (NodeCount > maxNodes)
                Evict(_recent.First!.Value);
            if (entry.Evicted)
                return;
        }
    }

    /// <summary>
    /// Writes up to <c>drafts.Length</c> tokens that most often followed the longest path <paramref name="context"/> ends
    /// with, no more than that path is long (a short match is weak evidence); returns how many.
    /// </summary>
    public int Propose(ReadOnlySpan<int> context, Span<int> drafts)
    {
        var (node, matched) = LongestMatch(context[Math.Max(0, context.Length - (depth - drafts.Length))..]);
        var limit = Math.Min(drafts.Length, matched);
        var count = 0;
        while (count < limit)
        {
            var best = None;
            var bestCount = 0;
            for (var child = _nodes[node].FirstChild; child != None; child = _nodes[child].NextSibling)
            {
                if (_nodes[child].Count > bestCount)
                    (best, bestCount) = (child, _nodes[child].Count);
            }
            if (best == None || bestCount < MinContinuation * _nodes[node].Count)
                break;
            drafts[count++] = _nodes[best].Token;
            node = best;
        }
        return count;
    }

    /// <summary>
    /// The node of the longest suffix of <paramref name="context"/> that occurs followed by something (the context itself
    /// is in the tree, with no continuation yet). Every suffix of such a path is one too, so a binary search finds it.
    /// </summary>
    private (int Node, int Length) LongestMatch(ReadOnlySpan<int> context)
    {
        int low = 0, high = context.Length, node = Root;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (Find(context[^middle..]) is var found && found != None && _nodes[found].FirstChild != None)
                (low, node) = (middle, found);
            else
                high = middle - 1;
        }
        return (node, low);
    }

    private int Find(ReadOnlySpan<int> path)
    {
        var node = Root;
        foreach (var token in path)
        {
            if (!_children.TryGetValue(Key(node, token), out node))
                return None;
        }
        return node;
    }

    private int Increment(int parent, int token)
    {
        var key = Key(parent, token);
        if (!_children.TryGetValue(key, out var child))
        {
            child = Allocate(parent, token);
            _children[key] = child;
        }
        _nodes[child].Count++;
        return child;
    }

    private int Allocate(int parent, int token)
    {
        var id = _free.Count > 0 ? _free.Pop() : _used++;
        if (id == _nodes.Length)
            Array.Resize(ref _nodes, _nodes.Length * 2);
        var first = _nodes[parent].FirstChild;
        _nodes[id] = new Node(parent, token) { Depth = _nodes[parent].Depth + 1, NextSibling = first, PreviousSibling = None };
        if (first != None)
            _nodes[first].PreviousSibling = id;
        _nodes[parent].FirstChild = id;
        return id;
    }

    /// <summary>Takes an entry's paths out again: every path starting at each of its positions loses one occurrence.</summary>
    private void Evict(Entry entry)
    {
        _recent.Remove(entry.Position!);
        entry.Evicted = true;
        var tokens = entry.Tokens;
        for (var start = 0; start < tokens.Count; start++)
        {
            var node = Root;
            for (var i = start; i < Math.Min(tokens.Count, start + depth); i++)
            {
                node = _children[Key(node, tokens[i])];
                if (--_nodes[node].Count == 0)
                {
                    // Its descendants on this path had no other occurrence either: free them with it.
                    FreeSubtree(node);
                    break;
                }
            }
        }
        entry.Tokens.Clear();
        entry.Open.Clear();
    }

    /// <summary>Unlinks a node from its parent and frees it with everything below it.</summary>
    private void FreeSubtree(int node)
    {
        ref var n = ref _nodes[node];
        if (n.PreviousSibling != None)
            _nodes[n.PreviousSibling].NextSibling = n.NextSibling;
        else
            _nodes[n.Parent].FirstChild = n.NextSibling;
        if (n.NextSibling != None)
            _nodes[n.NextSibling].PreviousSibling = n.PreviousSibling;
        FreeDetached(node);
    }

    private void FreeDetached(int node)
    {
        _children.Remove(Key(_nodes[node].Parent, _nodes[node].Token));
        for (var child = _nodes[node].FirstChild; child != None;)
        {
            var next = _nodes[child].NextSibling;
            FreeDetached(child);
            child = next;
        }
        _free.Push(node);
    }

    private static long Key(int node, int token) => ((long)node << 32) | (uint)token;

    private struct Node(int parent, int token)
    {
        public readonly int Parent = parent;
        public readonly int Token = token;
        public int Count;
        public int Depth;
        public int FirstChild = None;
        public int NextSibling = None;
        public int PreviousSibling = None;
    }
}
