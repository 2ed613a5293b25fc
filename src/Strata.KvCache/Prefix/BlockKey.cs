using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Strata.KvCache.Prefix;

/// <summary>
/// The content address of a full KV block: the first 128 bits of SHA-256 over the parent block's key and the
/// block's token ids. The root of every chain is derived from the model fingerprint and the tenant salt, so a key
/// names the whole prefix up to and including the block, for one model and one tenant. Stable across processes
/// and machines (never <see cref="HashCode"/>).
/// </summary>
public readonly record struct BlockKey(ulong High, ulong Low)
{
    public const int Size = 16;

    // One-shot hashing creates and frees an OpenSSL context per call, most of the cost of hashing a block's 80 bytes;
    // a hasher kept per thread and reset by each hash costs about half as much.
    [ThreadStatic]
    private static IncrementalHash? t_chainHash;

    /// <summary>The key every chain starts from: the model fingerprint and the tenant's salt.</summary>
    public static BlockKey Root(ReadOnlySpan<byte> modelFingerprint, string tenantSalt)
    {
        var salt = System.Text.Encoding.UTF8.GetBytes(tenantSalt);
        var input = new byte[modelFingerprint.Length + 4 + salt.Length];
        modelFingerprint.CopyTo(input);
        BinaryPrimitives.WriteInt32LittleEndian(input.AsSpan(modelFingerprint.Length), salt.Length);
        salt.CopyTo(input.AsSpan(modelFingerprint.Length + 4));
        return FromHash(SHA256.HashData(input));
    }

    /// <summary>The key of the block holding <paramref name="tokens"/> after the block keyed <paramref name="parent"/>.</summary>
    public static BlockKey Chain(BlockKey parent, ReadOnlySpan<int> tokens)
    {
        Span<byte> input = stackalloc byte[Size + tokens.Length * sizeof(int)];
        parent.WriteTo(input);
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(tokens).CopyTo(input[Size..]);
        else
            for (var i = 0; i < tokens.Length; i++)
                BinaryPrimitives.WriteInt32LittleEndian(input[(Size + 4 * i)..], tokens[i]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var sha = t_chainHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(input);
        sha.GetHashAndReset(hash);
        return FromHash(hash);
    }

    public static BlockKey Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..]));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public override string ToString() => $"{High:x16}{Low:x16}";

    private static BlockKey FromHash(ReadOnlySpan<byte> hash) => Read(hash);
}
