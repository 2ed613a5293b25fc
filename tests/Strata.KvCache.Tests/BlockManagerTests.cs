using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Tests;

public sealed class BlockManagerTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(16, 1)]
    [InlineData(17, 2)]
    [InlineData(48, 3)]
    public void Reserve_Positions_HoldsCeilOfBlockSize(int positions, int blocks)
    {
        var manager = new BlockManager(8, 16);
        var table = new BlockTable();

        manager.Reserve(table, 0, positions, [], []);

        Assert.Equal(blocks, table.Count);
        Assert.Equal(8 - blocks, manager.FreeBlocks);
        manager.CheckIntegrity([table]);
    }

    [Fact]
    public void Reserve_Growing_AddsBlocksOnlyAtBoundaries()
    {
        var manager = new BlockManager(8, 4);
        var table = new BlockTable();
        for (var length = 1; length <= 9; length++)
        {
            manager.Reserve(table, length - 1, length, [], []);
            Assert.Equal(manager.BlocksFor(length), table.Count);
        }
        manager.CheckIntegrity([table]);
    }

    [Fact]
    public void CanReserve_NotEnoughBlocks_IsFalseAndReserveThrows()
    {
        var manager = new BlockManager(2, 4);
        var table = new BlockTable();

        Assert.False(manager.CanReserve(table, 0, 9));
        Assert.Throws<InvalidOperationException>(() => manager.Reserve(table, 0, 9, [], []));
        Assert.Equal(0, table.Count);
        manager.CheckIntegrity([table]);
    }

    [Fact]
    public void Fork_SharesBlocks_AndWriteIntoSharedBlockCopies()
    {
        var manager = new BlockManager(8, 4);
        var parent = new BlockTable();
        manager.Reserve(parent, 0, 6, [], []);
        var child = manager.Fork(parent);
        Assert.Equal(parent.InUse, child.InUse);
        Assert.Equal(2, manager.UsedBlocks);

        var copies = new List<BlockCopy>();
        Assert.Equal(1, manager.BlocksNeeded(child, 6, 7));
        manager.Reserve(child, 6, 7, copies, []);

        Assert.Equal([new BlockCopy(parent[1], child[1])], copies);
        Assert.Equal(parent[0], child[0]);
        Assert.NotEqual(parent[1], child[1]);
        Assert.Equal(2, manager.Pool.RefCount(parent[0]));
        Assert.Equal(1, manager.Pool.RefCount(parent[1]));
        manager.CheckIntegrity([parent, child]);
    }

    [Fact]
    public void Truncate_RejectedDraftPositions_ReleasesBlocksPastTheKeptOnes()
    {
        var manager = new BlockManager(8, 4);
        var table = new BlockTable();
        manager.Reserve(table, 0, 13, [], []);
        var kept = table.InUse.Take(2).ToArray();

        manager.Truncate(table, 6);

        Assert.Equal(kept, table.InUse);
        Assert.Equal(6, manager.FreeBlocks);
        Assert.Throws<ArgumentOutOfRangeException>(() => manager.Truncate(table, 9));
        manager.CheckIntegrity([table]);
    }

    [Fact]
    public void Truncate_SharedBlock_DropsOnlyThisTablesReference()
    {
        var manager = new BlockManager(8, 4);
        var parent = new BlockTable();
        manager.Reserve(parent, 0, 8, [], []);
        var child = manager.Fork(parent);

        manager.Truncate(child, 4);

        Assert.Equal(2, manager.UsedBlocks);
        Assert.Equal(1, manager.Pool.RefCount(parent[1]));
        manager.CheckIntegrity([parent, child]);
    }

    [Fact]
    public void Free_ReleasesTailFirst_SoLeavesAreReusedFirst()
    {
        var manager = new BlockManager(3, 4);
        var table = new BlockTable();
        manager.Reserve(table, 0, 12, [], []);
        var blocks = table.InUse.ToArray();

        manager.Free(table);

        Assert.Equal(blocks.Reverse(), manager.Pool.FreeQueue());
        Assert.Equal(0, table.Count);
        manager.CheckIntegrity([table]);
    }

    [Fact]
    public void CheckIntegrity_LeakedBlock_Throws()
    {
        var manager = new BlockManager(4, 4);
        var table = new BlockTable();
        manager.Reserve(table, 0, 8, [], []);

        Assert.Throws<InvalidOperationException>(() => manager.CheckIntegrity([]));
    }

    [Fact]
    public void Release_Twice_Throws()
    {
        var pool = new BlockPool(2);
        var block = pool.Allocate();
        pool.Release(block);

        Assert.Throws<InvalidOperationException>(() => pool.Release(block));
    }

    [Fact]
    public void Revive_CachedFreeBlock_LeavesQueueInOrder()
    {
        var pool = new BlockPool(4);
        var blocks = Enumerable.Range(0, 4).Select(_ => pool.Allocate()).ToArray();
        foreach (var b in blocks)
            pool.Release(b);

        pool.Revive(blocks[2]);

        Assert.Equal([blocks[0], blocks[1], blocks[3]], pool.FreeQueue());
        Assert.Equal(1, pool.RefCount(blocks[2]));
        pool.CheckIntegrity();
    }

    [Fact]
    public void Reserve_EvictingWithNoList_ForgetsAndCountsWithoutAllocating()
    {
        // A simulated cluster evicts tens of millions of cached blocks that no tier keeps: none may cost an object.
        var manager = new BlockManager(4, 4, prefixCaching: true);
        var table = new BlockTable();
        var tokens = new int[16];
        List<BlockCopy> copies = [];
        long allocated = 0;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            manager.Reserve(table, 0, 16, copies, null);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            for (var i = 0; i < table.Count; i++)
                Assert.True(manager.Register(table[i], new BlockKey((ulong)round, (ulong)i), default, tokens.AsMemory(4 * i, 4)));
            manager.Free(table);
        }

        Assert.Equal(0, allocated);
        Assert.Equal(8, manager.Evictions);
        Assert.Equal(4, manager.Prefixes!.Count);
        Assert.Equal(-1, manager.Prefixes.Find(new BlockKey(1, 0), tokens.AsSpan(0, 4)));
        manager.CheckIntegrity([table]);
    }
}
