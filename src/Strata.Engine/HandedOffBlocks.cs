using Strata.Engine.Caching;
using Strata.KvCache.Prefix;

namespace Strata.Engine;

/// <summary>
/// Blocks a peer handed over, held in the engine's peer tier for the request they were pulled for (its admission loads
/// them as a prefix hit) until this is disposed.
/// </summary>
public sealed class HandedOffBlocks : IDisposable
{
    private readonly PeerTier? _tier;
    private readonly CachedBlock[] _blocks;
    private int _disposed;

    /// <summary>Offers <paramref name="blocks"/> to <paramref name="tier"/>, which takes their payloads.</summary>
    internal HandedOffBlocks(PeerTier? tier, IReadOnlyList<(CachedBlock Block, byte[] Payload)> blocks, TimeSpan elapsed, string? failure)
    {
        _tier = tier;
        _blocks = [.. blocks.Select(b => b.Block)];
        Bytes = (long)_blocks.Length * (tier?.PayloadBytes ?? 0);
        Elapsed = elapsed;
        Failure = failure;
        tier?.Offer(blocks, elapsed);
    }

    /// <summary>A hand-off that brought nothing (the pull could not start), for <paramref name="failure"/>.</summary>
    public static HandedOffBlocks None(string failure) => new(null, [], TimeSpan.Zero, failure);

    /// <summary>Blocks received and verified.</summary>
    public int Count => _blocks.Length;

    public long Bytes { get; }

    /// <summary>How long the pull took, from the first byte asked for to the last received.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Why the pull stopped before the stream's end (the blocks before it are kept), or null.</summary>
    public string? Failure { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _tier?.Withdraw(_blocks);
    }
}
