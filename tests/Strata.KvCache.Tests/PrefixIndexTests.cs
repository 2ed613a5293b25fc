using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Tests;

public sealed class PrefixIndexTests
{
    private const int BlockSize = 4;
    private static readonly CacheIdentity Identity = new([1, 2, 3], KvDataType.F16, BlockSize);
    private static readonly BlockKey Root = BlockKey.Root([1, 2, 3], "");

    /// <summary>Allocates and registers the full blocks of <paramref name="tokens"/> in a fresh table.</summary>
    private static (BlockTable Table, List<BlockKey> Keys) Fill(BlockManager manager, int[] tokens)
    {
        var table = new BlockTable();
        manager.Reserve(table, 0, tokens.Length, [], []);
        var keys = new List<BlockKey>();
        Identity.Extend(keys, Root, tokens, tokens.Length / BlockSize);
        for (var i = 0; i < keys.Count; i++)
            manager.Register(table[i], keys[i], i == 0 ? Root : keys[i - 1], tokens[(i * BlockSize)..((i + 1) * BlockSize)]);
        return (table, keys);
    }

    [Fact]
    public void BlockKey_SameInputs_SameKeyAcrossCalls_DifferentSaltOrTokens_Differ()
    {
        int[] tokens = [5, 6, 7, 8];
        Assert.Equal(BlockKey.Chain(Root, tokens), BlockKey.Chain(BlockKey.Root([1, 2, 3], ""), tokens));
        Assert.NotEqual(BlockKey.Chain(Root, tokens), BlockKey.Chain(BlockKey.Root([1, 2, 3], "salt"), tokens));
        Assert.NotEqual(BlockKey.Chain(Root, tokens), BlockKey.Chain(Root, [5, 6, 7, 9]));
        Assert.NotEqual(BlockKey.Root([1, 2, 3], ""), BlockKey.Root([1, 2, 4], ""));
    }

    [Fact]
    public void BlockKey_Chain_IsTheFirst128BitsOfSha256OverParentAndTokens_OnEveryCallAndThread()
    {
        // Disk and Redis store blocks under these keys: the hasher kept per thread must give the same bytes as ever.
        static BlockKey Expected(BlockKey parent, int[] tokens)
        {
            var input = new byte[BlockKey.Size + 4 * tokens.Length];
            parent.WriteTo(input);
            for (var i = 0; i < tokens.Length; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(input.AsSpan(BlockKey.Size + 4 * i), tokens[i]);
            return BlockKey.Read(System.Security.Cryptography.SHA256.HashData(input));
        }
        var blocks = Enumerable.Range(0, 50).Select(i => Enumerable.Range(i, BlockSize).ToArray()).ToArray();

        var keys = blocks.Select(tokens => BlockKey.Chain(Root, tokens)).ToArray();
        var onOtherThreads = new BlockKey[4][];
        var threads = Enumerable.Range(0, onOtherThreads.Length)
            .Select(t => new Thread(() => onOtherThreads[t] = blocks.Select(tokens => BlockKey.Chain(Root, tokens)).ToArray())).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();

        Assert.Equal(blocks.Select(tokens => Expected(Root, tokens)), keys);
        Assert.All(onOtherThreads, threadKeys => Assert.Equal(keys, threadKeys));
    }

    [Fact]
    public void Find_EntryTokensASliceOfALongerArray_HitsOnItsOwnTokensOnly()
    {
        // The engine registers blocks over its sequence's token array instead of copying each block's tokens.
        var index = new PrefixIndex(4);
        int[] sequence = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var key = BlockKey.Chain(Root, sequence.AsSpan(BlockSize, BlockSize));
        Assert.True(index.TryRegister(2, new CachedBlock(key, Root, sequence.AsMemory(BlockSize, BlockSize))));

        Assert.Equal(2, index.Find(key, [5, 6, 7, 8]));
        Assert.Equal(-1, index.Find(key, [1, 2, 3, 4]));
        Assert.Equal(-1, index.Find(key, [5, 6, 7, 9]));
    }

    [Fact]
    public void FindCached_AfterFree_HitsUntilReused()
    {
        var manager = new BlockManager(4, BlockSize, prefixCaching: true);
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8];
        var (table, keys) = Fill(manager, tokens);
        var blocks = table.InUse.ToArray();
        manager.Free(table);

        var hit = manager.FindCached(keys, tokens);

        Assert.Equal(blocks, hit);
        Assert.Equal(2, manager.AttachCost(hit));
        var reuse = new BlockTable();
        manager.Attach(reuse, hit);
        Assert.Equal(2, manager.UsedBlocks);
        manager.CheckIntegrity([reuse]);
    }

    [Fact]
    public void FindCached_TokensDoNotMatchKey_IsAMiss()
    {
        var manager = new BlockManager(4, BlockSize, prefixCaching: true);
        var (table, keys) = Fill(manager, [1, 2, 3, 4]);

        Assert.Empty(manager.FindCached(keys, [1, 2, 3, 5]));
        manager.CheckIntegrity([table]);
    }

    [Fact]
    public void Evict_LeastRecentlyReleasedFirst_LeavesBeforeParents()
    {
        var manager = new BlockManager(4, BlockSize, prefixCaching: true);
        var (first, firstKeys) = Fill(manager, [1, 2, 3, 4, 5, 6, 7, 8]);
        var (second, secondKeys) = Fill(manager, [9, 9, 9, 9, 8, 8, 8, 8]);
        manager.Free(first);
        manager.Free(second);

        var fresh = new BlockTable();
        var evicted = new List<EvictedBlock>();
        manager.Reserve(fresh, 0, 12, [], evicted);

        Assert.Equal([firstKeys[1], firstKeys[0], secondKeys[1]], evicted.Select(e => e.Entry.Key));
        Assert.Equal(3, manager.Evictions);
        Assert.Single(manager.FindCached(secondKeys, [9, 9, 9, 9, 8, 8, 8, 8]));
        manager.CheckIntegrity([fresh]);
    }

    [Fact]
    public void Attach_HitRefreshesRecency_SoOtherBlocksAreEvictedFirst()
    {
        var manager = new BlockManager(2, BlockSize, prefixCaching: true);
        var (a, aKeys) = Fill(manager, [1, 1, 1, 1]);
        var (b, bKeys) = Fill(manager, [2, 2, 2, 2]);
        manager.Free(a);
        manager.Free(b);
        var reuse = new BlockTable();
        manager.Attach(reuse, manager.FindCached(aKeys, [1, 1, 1, 1]));
        manager.Free(reuse);

        manager.Reserve(new BlockTable(), 0, 4, [], []);

        Assert.Single(manager.FindCached(aKeys, [1, 1, 1, 1]));
        Assert.Empty(manager.FindCached(bKeys, [2, 2, 2, 2]));
    }

    [Fact]
    public void Register_SameKeyTwice_SecondBlockStaysPrivate()
    {
        var manager = new BlockManager(4, BlockSize, prefixCaching: true);
        var (first, keys) = Fill(manager, [1, 2, 3, 4]);
        var (second, _) = Fill(manager, [1, 2, 3, 4]);

        Assert.Equal([first[0]], manager.FindCached(keys, [1, 2, 3, 4]));
        Assert.Equal(1, manager.Prefixes!.Count);
        manager.CheckIntegrity([first, second]);
    }

    [Fact]
    public void Pin_HoldsBlockUntilExpiry()
    {
        var manager = new BlockManager(2, BlockSize, prefixCaching: true);
        var (table, keys) = Fill(manager, [1, 2, 3, 4]);
        var now = DateTimeOffset.UnixEpoch;
        manager.Pin(table[0], now.AddMinutes(5));
        manager.Free(table);

        manager.ExpirePins(now.AddMinutes(1));
        Assert.Equal(1, manager.UsedBlocks);
        manager.CheckIntegrity([]);

        manager.ExpirePins(now.AddMinutes(6));
        Assert.Equal(0, manager.UsedBlocks);
        Assert.Single(manager.FindCached(keys, [1, 2, 3, 4]));
        manager.CheckIntegrity([]);
    }

    [Fact]
    public void EvictUnreferenced_DemotesFreeCachedBlocksOnly()
    {
        var manager = new BlockManager(4, BlockSize, prefixCaching: true);
        var (released, releasedKeys) = Fill(manager, [1, 1, 1, 1]);
        var (held, heldKeys) = Fill(manager, [2, 2, 2, 2]);
        manager.Free(released);

        var evicted = new List<EvictedBlock>();
        manager.EvictUnreferenced(evicted);

        Assert.Equal(releasedKeys, evicted.Select(e => e.Entry.Key));
        Assert.Empty(manager.FindCached(releasedKeys, [1, 1, 1, 1]));
        Assert.Single(manager.FindCached(heldKeys, [2, 2, 2, 2]));
        manager.CheckIntegrity([held]);
    }
}
