using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>A prompt's full blocks held for a peer to pull: a reference to each (in <see cref="Table"/>) until the pull ends or <see cref="Expires"/>.</summary>
internal sealed class KvLease(string id, BlockTable table, CachedBlock[] blocks, DateTimeOffset expires)
{
    public string Id { get; } = id;

    public BlockTable Table { get; } = table;

    /// <summary>The blocks in chain order, as <see cref="Table"/> holds them.</summary>
    public CachedBlock[] Blocks { get; } = blocks;

    public DateTimeOffset Expires { get; } = expires;

    /// <summary>Taken by a pull, which releases it when done; a lease being pulled does not expire.</summary>
    public bool Pulling { get; set; }
}
