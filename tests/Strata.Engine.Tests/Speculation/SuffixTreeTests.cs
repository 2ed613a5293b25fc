using Strata.Engine.Speculation;

namespace Strata.Engine.Tests.Speculation;

public sealed class SuffixTreeTests
{
    [Fact]
    public void Propose_SeveralContinuations_FollowsTheMostFrequent()
    {
        var tree = new SuffixTree(depth: 8, maxNodes: 10_000);
        tree.Extend(tree.Add(), [1, 2, 3, 4, 5]);
        tree.Extend(tree.Add(), [1, 2, 3, 4, 5]);
        tree.Extend(tree.Add(), [1, 2, 3, 9, 9]);
        var drafts = new int[3];

        // "1 2 3" went on to 4 twice and to 9 once; after "1 2 3 4 5" the sequences end.
        Assert.Equal(2, tree.Propose(Sequence(tree, 7, 1, 2, 3), drafts));
        Assert.Equal([4, 5], drafts[..2]);
    }

    [Fact]
    public void Propose_WithEvidence_CountsHowOftenEachDraftFollowedItsPath()
    {
        var tree = new SuffixTree(depth: 8, maxNodes: 10_000);
        tree.Extend(tree.Add(), [1, 2, 3, 4, 5, 6]);
        tree.Extend(tree.Add(), [1, 2, 3, 4, 5, 6]);
        tree.Extend(tree.Add(), [1, 2, 3, 9, 9]);
        var drafts = new int[3];
        var evidence = new Continuation[3];

        // "1 2 3" occurred three times before (the proposing sequence's own occurrence has no continuation): twice
        // followed by 4; "1 2 3 4" twice, both times followed by 5, and so on.
        Assert.Equal(3, tree.Propose(Sequence(tree, 7, 1, 2, 3), drafts, evidence));
        Assert.Equal([4, 5, 6], drafts);
        Assert.Equal([new Continuation(2, 3), new Continuation(2, 2), new Continuation(2, 2)], evidence);
        Assert.True(evidence[0].Chance(prior: 0.5) < evidence[1].Chance(prior: 0.5));
        Assert.Equal(0.5, new Continuation(0, 0).Chance(prior: 0.5)); // no counts: the prior alone
    }

    [Fact]
    public void Propose_DraftLength_BoundedByTheMatchLength()
    {
        var tree = new SuffixTree(depth: 16, maxNodes: 10_000);
        tree.Extend(tree.Add(), [1, 2, 3, 4, 5, 6, 7, 8]);
        var drafts = new int[6];

        Assert.Equal(2, tree.Propose(Sequence(tree, 9, 9, 2, 3), drafts)); // matched "2 3": two tokens of evidence
        Assert.Equal([4, 5], drafts[..2]);
        Assert.Equal(3, tree.Propose(Sequence(tree, 1, 2, 3, 4, 5), drafts.AsSpan(0, 5))); // matched all five; the sequence ends three later
        Assert.Equal([6, 7, 8], drafts[..3]);
    }

    [Fact]
    public void Propose_OwnSequenceIncluded_MatchesItsEarlierTokens()
    {
        var tree = new SuffixTree(depth: 8, maxNodes: 10_000);
        var own = tree.Add();
        tree.Extend(own, [4, 5, 6, 7, 8, 1, 4, 5, 6]);
        var drafts = new int[2];

        Assert.Equal(2, tree.Propose(own, drafts));
        Assert.Equal([7, 8], drafts);
    }

    [Fact]
    public void Extend_OverNodeLimit_EvictsLeastRecentlyExtendedAndStaysBounded()
    {
        var tree = new SuffixTree(depth: 6, maxNodes: 500);
        var random = new Random(3);
        var entries = new List<SuffixTree.Entry>();
        for (var i = 0; i < 40; i++)
        {
            var entry = tree.Add();
            entries.Add(entry);
            tree.Extend(entry, Enumerable.Range(0, 30).Select(_ => random.Next(50)).ToArray());
            Assert.True(tree.NodeCount <= 500, $"{tree.NodeCount} nodes");
        }
        Assert.True(entries[0].Evicted);
        Assert.False(entries[^1].Evicted);

        var fresh = tree.Add();
        tree.Extend(fresh, [100, 101, 102, 103]);
        Assert.Equal(1, tree.Propose(Sequence(tree, 5, 100, 101), new int[1]));
    }

    [Fact]
    public void Evict_EveryEntry_LeavesOnlyTheRoot()
    {
        // One long sequence over a tiny limit evicts the others and then itself: every count comes back to zero.
        var tree = new SuffixTree(depth: 4, maxNodes: 30);
        tree.Extend(tree.Add(), [1, 2, 3, 1, 2, 3]);
        tree.Extend(tree.Add(), Enumerable.Range(0, 40).ToArray());
        Assert.Equal(1, tree.NodeCount);
    }

    [Fact]
    public void Propose_InterleavedSequencesWithEvictions_FollowsTheMostFrequentContinuationOfTheLongestMatch()
    {
        // Few tokens, so paths are shared and counts tie; a small tree, so entries are evicted and the best child of a
        // path changes as occurrences leave. Every proposal is checked against counts taken from the live sequences.
        const int depth = 6, drafts = 3;
        var tree = new SuffixTree(depth, maxNodes: 300);
        var random = new Random(7);
        var live = new List<(SuffixTree.Entry Entry, List<int> Tokens)>();
        var proposal = new int[drafts];
        for (var step = 0; step < 600; step++)
        {
            if (live.Count < 4 || random.Next(12) == 0)
                live.Add((tree.Add(), []));
            var (entry, tokens) = live[random.Next(Math.Max(0, live.Count - 4), live.Count)];
            var added = Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(5)).ToArray();
            tree.Extend(entry, added);
            tokens.AddRange(added);
            if (entry.Evicted)
                continue;

            var count = tree.Propose(entry, proposal);

            var sequences = live.Where(e => !e.Entry.Evicted).Select(e => e.Tokens).ToList();
            var matched = Enumerable.Range(1, Math.Min(tokens.Count, depth - drafts)).LastOrDefault(n => Continuations(sequences, tokens[^n..]).Count > 0);
            var path = tokens[^matched..];
            for (var i = 0; i < count; i++)
            {
                var next = Continuations(sequences, path);
                Assert.True(next.TryGetValue(proposal[i], out var chosen), $"step {step}: {proposal[i]} never followed {string.Join(' ', path)}");
                Assert.Equal(next.Values.Max(), chosen);
                path = [.. path, proposal[i]];
            }
            var rest = Continuations(sequences, path);
            Assert.True(count == Math.Min(drafts, matched) || rest.Count == 0 || rest.Values.Max() < 0.1 * Occurrences(sequences, path),
                $"step {step}: stopped after {count} drafts of {Math.Min(drafts, matched)}");
        }
        Assert.Contains(live, e => e.Entry.Evicted);
    }

    /// <summary>How often each token follows <paramref name="path"/> in <paramref name="sequences"/>.</summary>
    private static Dictionary<int, int> Continuations(List<List<int>> sequences, IReadOnlyList<int> path)
    {
        var next = new Dictionary<int, int>();
        foreach (var tokens in sequences)
        {
            for (var start = 0; start + path.Count < tokens.Count; start++)
            {
                if (Enumerable.Range(0, path.Count).All(i => tokens[start + i] == path[i]))
                    next[tokens[start + path.Count]] = next.GetValueOrDefault(tokens[start + path.Count]) + 1;
            }
        }
        return next;
    }

    private static int Occurrences(List<List<int>> sequences, IReadOnlyList<int> path) =>
        sequences.Sum(tokens => Enumerable.Range(0, Math.Max(0, tokens.Count - path.Count + 1))
            .Count(start => Enumerable.Range(0, path.Count).All(i => tokens[start + i] == path[i])));

    /// <summary>A sequence that has just joined the tree with <paramref name="tokens"/>, asking what follows them.</summary>
    private static SuffixTree.Entry Sequence(SuffixTree tree, params int[] tokens)
    {
        var entry = tree.Add();
        tree.Extend(entry, tokens);
        return entry;
    }
}
