using Strata.Engine.Scheduling;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// Keys of full prompt blocks that running sequences are computing right now. A waiting sequence whose next uncached
/// block is among them waits for it to be registered instead of computing the same prefix a second time, so
/// concurrent requests that share a system prompt compute it once.
/// </summary>
internal sealed class InFlightPrefixes
{
    private readonly Dictionary<BlockKey, Sequence> _computing = [];

    /// <summary>True if another sequence is computing the block with this key.</summary>
    public bool IsComputedByOther(BlockKey key, Sequence sequence) =>
        _computing.TryGetValue(key, out var owner) && owner != sequence;

    /// <summary>Notes that <paramref name="sequence"/> will compute its blocks [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public void Claim(Sequence sequence, int from, int to)
    {
        for (var i = from; i < to; i++)
            _computing.TryAdd(sequence.BlockKeys[i], sequence);
    }

    /// <summary>The block with this key is cached now (or its owner gave up on it).</summary>
    public void Done(BlockKey key, Sequence sequence)
    {
        if (_computing.TryGetValue(key, out var owner) && owner == sequence)
            _computing.Remove(key);
    }

    /// <summary>Drops every claim of a sequence that finished, was cancelled or was preempted.</summary>
    public void Release(Sequence sequence)
    {
        foreach (var key in sequence.BlockKeys)
            Done(key, sequence);
    }
}
