using Strata.KvCache.Host;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>The host-memory tier as a block source.</summary>
internal sealed class HostBlockSource(HostBlockStore store) : IBlockSource
{
    public string Name => "host";

    public bool Contains(BlockKey key) => store.Contains(key);

    public bool TryRead(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload) => store.TryRead(key, tokens, payload, out _);
}
