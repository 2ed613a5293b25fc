using Strata.KvCache.Prefix;

namespace Strata.KvCache.Tests.Prefix;

public sealed class CacheIdentityTests
{
    private static readonly byte[] ModelFingerprint = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Keys_KnownInputs_GiveThePublishedDerivation()
    {
        // Keys outlive the process (disk tier, remote store) and are recomputed elsewhere (a router), so the
        // derivation is pinned: SHA-256 of "strata-kv-2:F16:4:" + model fingerprint, then of that, the salt's length
        // and "tenant\nsalt" for the root, then of the parent key and the block's little-endian token ids.
        var identity = new CacheIdentity(ModelFingerprint, KvDataType.F16, blockSize: 4);

        var keys = identity.Keys("tenant", "salt", [0, 1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.Equal("c315aa0e55892b8d6c1792874048955d", identity.Root("tenant", "salt").ToString());
        Assert.Equal(["76b441e38f35e23ba144de114ceadb98", "f4f27d82498e893c08fc0c15c78e271f"], keys.Select(k => k.ToString()));
    }

    [Fact]
    public void Root_AnyPartDiffers_KeysDiffer()
    {
        var identity = new CacheIdentity(ModelFingerprint, KvDataType.F16, 16);
        var root = identity.Root("tenant", "salt");

        Assert.Equal(root, new CacheIdentity(ModelFingerprint, KvDataType.F16, 16).Root("tenant", "salt"));
        Assert.NotEqual(root, identity.Root("other", "salt"));
        Assert.NotEqual(root, identity.Root("tenant", "other"));
        Assert.NotEqual(root, identity.Root("tenant\nsalt", ""));
        Assert.NotEqual(root, new CacheIdentity(ModelFingerprint, KvDataType.F32, 16).Root("tenant", "salt"));
        Assert.NotEqual(root, new CacheIdentity(ModelFingerprint, KvDataType.F16, 32).Root("tenant", "salt"));
        Assert.NotEqual(root, new CacheIdentity(ModelFingerprint.Reverse().ToArray(), KvDataType.F16, 16).Root("tenant", "salt"));
    }

    [Fact]
    public void Extend_InSteps_EqualsAllAtOnce()
    {
        var identity = new CacheIdentity(ModelFingerprint, KvDataType.F16, 4);
        var tokens = Enumerable.Range(100, 19).ToArray();
        var root = identity.Root("", "");
        var stepped = new List<BlockKey>();

        identity.Extend(stepped, root, tokens, 1);
        identity.Extend(stepped, root, tokens, 4);

        Assert.Equal(identity.Keys("", "", tokens), stepped);
        Assert.Equal(4, stepped.Count);
    }
}
