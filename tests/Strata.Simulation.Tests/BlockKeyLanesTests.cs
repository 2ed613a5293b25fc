using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Simulation.Tests;

/// <summary>
/// Keys derived 16 prompts at a time must be the engine's own (the router and the prefix index compare them): every
/// key of every prompt equal to <see cref="CacheIdentity"/>'s, for block sizes whose messages take one, two or three
/// SHA-256 blocks, prompts of unequal lengths (some shorter than a block) and batches that fill some lanes only.
/// </summary>
public sealed class BlockKeyLanesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(16)]
    [InlineData(32)]
    public void Keys_RandomPrompts_SameAsTheIdentitys(int blockSize)
    {
        var random = new Random(blockSize);
        var fingerprint = new byte[32];
        random.NextBytes(fingerprint);
        var identity = new CacheIdentity(fingerprint, KvDataType.F16, blockSize);
        var root = identity.Root("tenant", "salt");
        var lanes = new BlockKeyLanes(blockSize);
        foreach (var count in new[] { 1, 5, BlockKeyLanes.Lanes })
        {
            var prompts = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, random.Next(0, 6 * blockSize)).Select(_ => random.Next()).ToArray()).ToArray();
            var keys = prompts.Select(_ => new List<BlockKey>()).ToArray();

            lanes.Keys(root, prompts, keys);

            for (var i = 0; i < count; i++)
                Assert.Equal(identity.Keys("tenant", "salt", prompts[i]), keys[i]);
        }
    }

    [Fact]
    public void PreparedWorkload_MoreThanOneBatch_KeysOfEveryRequestInOrder()
    {
        var identity = new CacheIdentity(new byte[32], KvDataType.F16, 16);
        var random = new Random(7);
        var requests = Enumerable.Range(0, 2 * BlockKeyLanes.Lanes + 3)
            .Select(i => new SimRequest(i, [.. Enumerable.Range(0, random.Next(1, 200)).Select(_ => random.Next(1, 32000))], 4))
            .ToArray();

        using var prepared = new PreparedWorkload(requests, identity);
        var read = prepared.Requests().ToList();

        Assert.Equal(requests, read.Select(r => r.Request));
        Assert.All(read, r => Assert.Equal(identity.Keys("", "", r.Request.Prompt), r.Keys!));
    }
}
