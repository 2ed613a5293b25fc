using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// A tier below the working pool, one entry of the engine's ordered tier list (host memory, disk, a shared store, a
/// peer's memory). The rules: <see cref="Contains"/> is a cheap probe that may be wrong (a read can still miss);
/// <see cref="ReadChain"/> may block on I/O and runs off the engine thread, reads the longest prefix of the chain it
/// holds — each block verified against its tokens — and says how many it read; <see cref="Store"/> never blocks.
/// Implementations are thread-safe.
/// </summary>
internal interface IKvTier : IDisposable
{
    string Name { get; }

    /// <summary>Which blocks the tier is offered: those leaving the working pool, or every block as it fills.</summary>
    TierWrites Writes { get; }

    bool Contains(BlockKey key);

    /// <summary>Fills <c>payloads[i]</c> for the first blocks of <paramref name="chain"/> the tier holds; returns how many.</summary>
    int ReadChain(IReadOnlyList<CachedBlock> chain, IReadOnlyList<byte[]> payloads);

    /// <summary>Keeps a block's payload (the tier may copy it later, so the array must not change) until <paramref name="expires"/> at most.</summary>
    void Store(CachedBlock block, byte[] payload, DateTimeOffset expires);

    /// <summary>Completes when everything stored so far is durable (at once for a tier that is not).</summary>
    Task FlushAsync();

    /// <summary>Drops every block, if the tier is private to this engine and volatile (host memory); otherwise does nothing.</summary>
    void ClearPrivate();

    /// <summary>Counters of the tier itself; the tier list adds what it loaded.</summary>
    TierStats Stats { get; }
}
