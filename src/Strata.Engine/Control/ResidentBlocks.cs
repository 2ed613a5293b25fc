using System.Collections.Concurrent;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Control;

/// <summary>
/// The block keys in the working pool, kept from the engine's KV events, so that a prediction made on another thread
/// knows how much of a new prompt the prefix cache will hold (blocks in lower tiers count as misses: a conservative
/// guess, as loading them costs time too).
/// </summary>
internal sealed class ResidentBlocks(CacheIdentity identity)
{
    private readonly ConcurrentDictionary<BlockKey, byte> _keys = new();

    public void Observe(KvEvent e)
    {
        if (e.Tier != KvEvent.Pool)
            return;
        if (e.Kind == KvEventKind.Stored)
            _keys.TryAdd(e.Key, 0);
        else
            _keys.TryRemove(e.Key, out _);
    }

    /// <summary>Prompt tokens the longest resident prefix covers, leaving the last token to compute as the engine does.</summary>
    public int CachedTokens(string tenant, string cacheSalt, ReadOnlySpan<int> prompt)
    {
        if (_keys.IsEmpty || prompt.Length <= identity.BlockSize)
            return 0;
        var keys = new List<BlockKey>();
        identity.Extend(keys, identity.Root(tenant, cacheSalt), prompt, (prompt.Length - 1) / identity.BlockSize);
        var cached = 0;
        while (cached < keys.Count && _keys.ContainsKey(keys[cached]))
            cached++;
        return cached * identity.BlockSize;
    }
}
