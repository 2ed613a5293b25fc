using Strata.Engine.Control;
using Strata.Engine.Requests;
using Strata.KvCache;
using Strata.KvCache.Prefix;
using Strata.Router.Nodes;
using Strata.Router.Routing;

namespace Strata.Cli.Tests.Cluster;

public sealed class KvAwareRankingTests
{
    private static readonly CacheIdentity Identity = new(new byte[32], KvDataType.F16, 4);
    private static readonly int[] Prompt = [.. Enumerable.Range(1, 40)];

    [Fact]
    public void Rank_NodeHoldingThePrefix_ComesFirst()
    {
        var (cold, warm) = (Node("a"), Node("b"));
        var request = Request();
        foreach (var key in request.Keys)
            warm.Blocks.Stored(key, TierSet.Pool);

        Assert.Equal([warm, cold], new KvAwareRanking().Rank([cold, warm], request));
    }

    [Fact]
    public void Rank_LongerChainInALowerTier_BeatsAShorterOneInThePool()
    {
        var (shortInPool, longOnDisk) = (Node("a"), Node("b"));
        var request = Request();
        shortInPool.Blocks.Stored(request.Keys[0], TierSet.Pool);
        foreach (var key in request.Keys)
            longOnDisk.Blocks.Stored(key, TierSet.Disk);

        Assert.Equal(longOnDisk, new KvAwareRanking().Rank([shortInPool, longOnDisk], request)[0]);
        Assert.Equal(10 * TierCredit.Of(TierSet.Disk), longOnDisk.Blocks.CachedBlocks(request.Keys), 6);
    }

    [Fact]
    public void Rank_ChainBrokenInTheMiddle_CountsOnlyThePrefixBeforeTheGap()
    {
        var node = Node("a");
        var request = Request();
        node.Blocks.Stored(request.Keys[0], TierSet.Pool);
        node.Blocks.Stored(request.Keys[2], TierSet.Pool);

        Assert.Equal(1, node.Blocks.CachedBlocks(request.Keys));
    }

    [Fact]
    public void Rank_ActiveBlocksOutweighAHit_TheIdleNodeWins()
    {
        var (busy, idle) = (Node("a"), Node("b"));
        var request = Request();
        foreach (var key in request.Keys)
            busy.Blocks.Stored(key, TierSet.Pool);
        busy.Begin(blocks: 60);

        Assert.Equal(idle, new KvAwareRanking().Rank([busy, idle], request)[0]);
    }

    [Fact]
    public void Rank_Imbalanced_LeastLoadedFirstWhateverItHolds()
    {
        var (loaded, light) = (Node("a"), Node("b"));
        var request = Request();
        foreach (var key in request.Keys)
            loaded.Blocks.Stored(key, TierSet.Pool);
        for (var i = 0; i < KvAwareRanking.AbsoluteImbalance + 1; i++)
            loaded.Begin(blocks: 0); // many requests, few blocks: only the guard keeps the hit from winning

        Assert.Equal(light, new KvAwareRanking().Rank([loaded, light], request)[0]);
    }

    [Fact]
    public void Rank_NodeCrowdedByFlexWork_TurnsFlexAwayButTakesHigherTiersToItsCachedPrefix()
    {
        var (crowded, idle) = (Node("a"), Node("b"));
        var request = Request();
        foreach (var key in request.Keys)
            crowded.Blocks.Stored(key, TierSet.Pool);
        for (var i = 0; i < KvAwareRanking.AbsoluteImbalance + 1; i++)
            crowded.Begin(blocks: 0, ServiceTier.Flex);

        Assert.Equal(idle, new KvAwareRanking().Rank([crowded, idle], request with { Tier = ServiceTier.Flex })[0]);
        Assert.Equal(crowded, new KvAwareRanking().Rank([crowded, idle], request with { Tier = ServiceTier.Default })[0]);
        Assert.Equal(crowded, new KvAwareRanking().Rank([crowded, idle], request with { Tier = ServiceTier.Priority })[0]);
    }

    [Fact]
    public void Rank_NodeCrowdedByPriorityWork_TurnsEveryTierAway()
    {
        var (crowded, idle) = (Node("a"), Node("b"));
        var request = Request();
        foreach (var key in request.Keys)
            crowded.Blocks.Stored(key, TierSet.Pool);
        for (var i = 0; i < KvAwareRanking.AbsoluteImbalance + 1; i++)
            crowded.Begin(blocks: 0, ServiceTier.Priority);

        foreach (var tier in Tiers.All)
            Assert.Equal(idle, new KvAwareRanking().Rank([crowded, idle], request with { Tier = tier })[0]);
    }

    [Fact]
    public void Rank_LowerTiersBlocks_DoNotCountAgainstAPriorityRequest()
    {
        var (holder, empty) = (Node("a"), Node("b"));
        var request = Request();
        foreach (var key in request.Keys)
            holder.Blocks.Stored(key, TierSet.Pool);
        holder.Begin(blocks: 60, ServiceTier.Default); // outweighs the hit for its own tier and the ones below

        Assert.Equal(empty, new KvAwareRanking().Rank([holder, empty], request with { Tier = ServiceTier.Default })[0]);
        Assert.Equal(holder, new KvAwareRanking().Rank([holder, empty], request with { Tier = ServiceTier.Priority })[0]);
        holder.End(blocks: 60, ServiceTier.Default);
        Assert.Equal((0, 0L), holder.LoadFor(ServiceTier.Flex));
    }

    [Fact]
    public void Rank_UnreachableNode_IsTriedLast()
    {
        var (down, up) = (Node("a"), Node("b"));
        down.Reachable = false;
        var request = Request();
        foreach (var key in request.Keys)
            down.Blocks.Stored(key, TierSet.Pool);

        Assert.Equal([up, down], new KvAwareRanking().Rank([down, up], request));
        Assert.Equal([up, down], new RoundRobinRanking().Rank([down, up], request));
    }

    [Fact]
    public void Removed_FromOneTier_KeepsTheBlockInTheOthers()
    {
        var node = Node("a");
        var key = Request().Keys[0];
        node.Blocks.Stored(key, TierSet.Pool);
        node.Blocks.Stored(key, TierSet.Host);
        node.Blocks.Removed(key, TierSet.Pool);

        Assert.Equal(TierCredit.Of(TierSet.Host), node.Blocks.CachedBlocks([key]), 6);
        node.Blocks.Removed(key, TierSet.Host);
        Assert.Equal(0, node.Blocks.Count);
    }

    [Fact]
    public void Routed_PromptSentToANode_CountsAsHeldThereUntilItReportsARemoval()
    {
        var node = Node("a");
        var request = Request();
        node.Blocks.Routed(request.Keys);

        Assert.Equal(request.Keys.Count, node.Blocks.CachedBlocks(request.Keys));
        node.Blocks.Removed(request.Keys[1], TierSet.Pool);
        Assert.Equal(1, node.Blocks.CachedBlocks(request.Keys));
    }

    private static ClusterMember Node(string name) => new(new Uri($"http://{name}:1/")) { Reachable = true, Identity = Identity };

    private static RoutedRequest Request() => new(Identity.Keys("", "", Prompt), PromptTokens: Prompt.Length, PromptBlocks: 10, Blocks: 12);
}
