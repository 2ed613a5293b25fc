using System.Text;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>
/// How block keys are named in the store: the prefix and the key's 32 lowercase hex digits, no hash tag, so the
/// blocks of one prefix chain spread over every slot (and every cluster node) rather than piling onto one.
/// </summary>
internal sealed class RemoteKeyspace(string prefix)
{
    private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);

    public int NameLength => _prefix.Length + 2 * BlockKey.Size;

    public byte[] Name(BlockKey key)
    {
        var name = new byte[NameLength];
        Write(key, name);
        return name;
    }

    public void Write(BlockKey key, Span<byte> destination)
    {
        _prefix.CopyTo(destination);
        Span<byte> raw = stackalloc byte[BlockKey.Size];
        key.WriteTo(raw);
        var hex = destination[_prefix.Length..];
        for (var i = 0; i < raw.Length; i++)
        {
            hex[2 * i] = (byte)"0123456789abcdef"[raw[i] >> 4];
            hex[2 * i + 1] = (byte)"0123456789abcdef"[raw[i] & 0xF];
        }
    }

    public int Slot(BlockKey key)
    {
        Span<byte> name = stackalloc byte[NameLength];
        Write(key, name);
        return HashSlot.Of(name);
    }
}
