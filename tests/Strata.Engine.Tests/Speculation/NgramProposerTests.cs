using Strata.Engine.Speculation;

namespace Strata.Engine.Tests.Speculation;

public sealed class NgramProposerTests
{
    [Fact]
    public void Propose_SuffixSeenBefore_ProposesWhatFollowedItsLatestOccurrence()
    {
        var proposer = new NgramProposer(1, 3);
        int[] tokens = [5, 6, 7, 1, 5, 6, 8, 2, 9, 5, 6];
        var drafts = new int[2];

        // "5 6" last occurred at positions 4-5, followed by 8 2 (the earlier 5 6 7 is older).
        Assert.Equal(2, proposer.Propose(tokens, drafts));
        Assert.Equal([8, 2], drafts);
    }

    [Fact]
    public void Propose_LongerMatchWins_OverAMoreRecentShorterOne()
    {
        var proposer = new NgramProposer(1, 3);
        int[] tokens = [1, 2, 3, 40, 41, 9, 3, 50, 1, 2, 3];
        var drafts = new int[2];

        // "1 2 3" (n = 3) occurred at the start followed by 40 41; "3" alone last occurred before 50.
        Assert.Equal(2, proposer.Propose(tokens, drafts));
        Assert.Equal([40, 41], drafts);
    }

    [Fact]
    public void Propose_NoEarlierOccurrence_ProposesNothing()
    {
        var proposer = new NgramProposer(2, 4);
        Assert.Equal(0, proposer.Propose([1, 2, 3, 4, 5], new int[3]));
    }

    [Fact]
    public void Propose_RepeatingPattern_KeepsRepeatingPastTheSequenceEnd()
    {
        var proposer = new NgramProposer(1, 2);
        var drafts = new int[5];

        Assert.Equal(5, proposer.Propose([7, 1, 2, 1, 2], drafts));
        Assert.Equal([1, 2, 1, 2, 1], drafts);
    }

    [Fact]
    public void Propose_TokensArriveStepByStep_SameAsIndexingAllAtOnce()
    {
        var random = new Random(5);
        var tokens = Enumerable.Range(0, 400).Select(_ => random.Next(12)).ToArray();
        var incremental = new NgramProposer(1, 4);
        for (var length = 1; length <= tokens.Length; length += 1 + length % 3)
        {
            var fresh = new NgramProposer(1, 4);
            var (a, b) = (new int[4], new int[4]);
            var count = incremental.Propose(tokens.AsSpan(0, length), a);
            Assert.Equal(fresh.Propose(tokens.AsSpan(0, length), b), count);
            Assert.Equal(b[..count], a[..count]);
        }
    }
}
