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
        Assert.Equal(2, tree.Propose([7, 1, 2, 3], drafts));
        Assert.Equal([4, 5], drafts[..2]);
    }

    [Fact]
    public void Propose_DraftLength_BoundedByTheMatchLength()
    {
        var tree = new SuffixTree(depth: 16, maxNodes: 10_000);
        tree.Extend(tree.Add(), [1, 2, 3, 4, 5, 6, 7, 8]);
        var drafts = new int[6];

        Assert.Equal(2, tree.Propose([9, 9, 2, 3], drafts)); // matched "2 3": two tokens of evidence
        Assert.Equal([4, 5], drafts[..2]);
        Assert.Equal(3, tree.Propose([1, 2, 3, 4, 5], drafts.AsSpan(0, 5))); // matched all five; the sequence ends three later
        Assert.Equal([6, 7, 8], drafts[..3]);
    }

    [Fact]
    public void Propose_OwnSequenceIncluded_MatchesItsEarlierTokens()
    {
        var tree = new SuffixTree(depth: 8, maxNodes: 10_000);
        var own = tree.Add();
        tree.Extend(own, [4, 5, 6, 7, 8, 1, 4, 5, 6]);
        var drafts = new int[2];

        Assert.Equal(2, tree.Propose([4, 5, 6, 7, 8, 1, 4, 5, 6], drafts));
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
        Assert.Equal(1, tree.Propose([5, 100, 101], new int[1]));
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
}
