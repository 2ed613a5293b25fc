using System.Security.Cryptography;
using System.Text;

namespace Strata.KvCache.Prefix;

/// <summary>
/// How every block key of one served model is derived, so that any process — the engine, or a router in front of
/// several engines — computes the same keys from token ids alone. A chain's root digests the model fingerprint, the
/// payload format and numerics version, the KV element type and the block size, then the tenant and the request's
/// <c>cache_salt</c>; each full block's key chains its tokens onto its parent's key (see <see cref="BlockKey"/>).
/// </summary>
public sealed class CacheIdentity
{
    /// <summary>The block payload format and the numerics that produce it; changing it retires every stored block.</summary>
    public const string Format = "strata-kv-2";

    /// <param name="modelFingerprint">The digest of the model file (<c>ModelFingerprint.Compute</c>).</param>
    public CacheIdentity(ReadOnlySpan<byte> modelFingerprint, KvDataType dataType, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var parts = Encoding.UTF8.GetBytes($"{Format}:{dataType}:{blockSize}:");
        Fingerprint = SHA256.HashData([.. parts, .. modelFingerprint]);
        BlockSize = blockSize;
    }

    /// <summary>Everything cached K/V depends on; remote values carry it so a node never uses another model's blocks.</summary>
    public byte[] Fingerprint { get; }

    public int BlockSize { get; }

    /// <summary>Where the chains of one tenant's requests with one salt start; tenants never share a key.</summary>
    public BlockKey Root(string tenant, string cacheSalt) => BlockKey.Root(Fingerprint, $"{tenant}\n{cacheSalt}");

    /// <summary>Appends keys to <paramref name="keys"/> until it covers <paramref name="fullBlocks"/> blocks of <paramref name="tokens"/>.</summary>
    public void Extend(List<BlockKey> keys, BlockKey root, ReadOnlySpan<int> tokens, int fullBlocks)
    {
        for (var i = keys.Count; i < fullBlocks; i++)
            keys.Add(BlockKey.Chain(i == 0 ? root : keys[i - 1], tokens.Slice(i * BlockSize, BlockSize)));
    }

    /// <summary>The keys of every full block of <paramref name="tokens"/>, as the engine registers them.</summary>
    public List<BlockKey> Keys(string tenant, string cacheSalt, ReadOnlySpan<int> tokens)
    {
        var keys = new List<BlockKey>(tokens.Length / BlockSize);
        Extend(keys, Root(tenant, cacheSalt), tokens, tokens.Length / BlockSize);
        return keys;
    }
}
