using System.Runtime.InteropServices;

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
    /// Writes up to <c>drafts.Length</c> tokens that most often followed the longest path <paramref name="entry"/>'s tokens
    /// end with, no more than that path is long (a short match is weak evidence), each with its counts into
    /// <paramref name="evidence"/> unless that is empty; returns how many.
    /// </summary>
    public int Propose(Entry entry, Span<int> drafts, Span<Continuation> evidence = default)
    {
        var (node, matched) = LongestMatch(entry, depth - drafts.Length);
        var limit = Math.Min(drafts.Length, matched);
        // The matched path's own newest occurrence is the entry's, which has no continuation yet.
        var seen = _nodes[node].Count - 1;
        var count = 0;
        while (count < limit)
        {
            var best = MostFrequentChild(node);
            if (best == None || _nodes[best].Count < MinContinuation * _nodes[node].Count)
                break;
            if (!evidence.IsEmpty)
                evidence[count] = new Continuation(_nodes[best].Count, Math.Max(seen, _nodes[best].Count));
            drafts[count++] = _nodes[best].Token;
            node = best;
            seen = _nodes[node].Count;
        }
        return count;
    }

    /// <summary>
    /// The node of the longest path of at most <paramref name="longest"/> tokens that <paramref name="entry"/>'s tokens
    /// end with and that occurs followed by something (the entry's own occurrence has no continuation yet). The entry's
    /// open suffixes are those paths' nodes, longest first, so no look-up is needed (a binary search of root-to-node walks
    /// over the context made up to ~150 hash look-ups a proposal, each a likely cache miss in a full tree).
    /// </summary>
    private (int Node, int Length) LongestMatch(Entry entry, int longest)
    {
        foreach (var node in entry.Open)
        {
            if (_nodes[node].Depth <= longest && _nodes[node].FirstChild != None)
                return (node, _nodes[node].Depth);
        }
        return (Root, 0);
    }

    /// <summary>
    /// The child of <paramref name="node"/> with the most occurrences (None without children). Known children are kept up
    /// to date as counts grow; scanning the children each time cost 10–46 µs a proposal in a full tree of random text over
    /// TinyStories' 512 tokens, where a short path has hundreds of children (against a 100–200 µs step), so a scan
    /// happens only after the best lost an occurrence.
    /// </summary>
    private int MostFrequentChild(int node)
    {
        ref var n = ref _nodes[node];
        if (n.Best == None)
        {
            for (var child = n.FirstChild; child != None; child = _nodes[child].NextSibling)
            {
                if (n.Best == None || _nodes[child].Count > _nodes[n.Best].Count)
                    n.Best = child;
            }
        }
        return n.Best;
    }

    private int Increment(int parent, int token)
    {
        ref var child = ref CollectionsMarshal.GetValueRefOrAddDefault(_children, Key(parent, token), out var exists);
        if (!exists)
            child = Allocate(parent, token);
        var id = child;
        var count = ++_nodes[id].Count;
        ref var best = ref _nodes[parent].Best;
        if (best != None && best != id && count > _nodes[best].Count)
            best = id;
        return id;
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
                ref var parent = ref _nodes[_nodes[node].Parent];
                if (parent.Best == node)
                    parent.Best = None;
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

        /// <summary>The child with the most occurrences, or None when not known (none yet, or the best lost one).</summary>
        public int Best = None;
    }
}
