using Strata.Engine.Caching;
using Strata.KvCache;

namespace Strata.Engine.Scheduling;

/// <summary>What one engine step runs: chunks of sequences, and the block copies and loads that must happen first.</summary>
internal sealed class SchedulerPlan
{
    public List<ScheduledChunk> Chunks { get; } = [];

    /// <summary>Shared blocks to copy before they are written (copy-on-write).</summary>
    public List<BlockCopy> Copies { get; } = [];

    /// <summary>Blocks to fill with payloads loaded from lower tiers, before the forward pass.</summary>
    public List<(int Block, byte[] Payload)> Loads { get; } = [];

    /// <summary>The sequences this step admits from the wait queue, with the cached prefix each was given.</summary>
    public List<(Sequence Sequence, PrefixMatch Match)> Admissions { get; } = [];

    public bool IsEmpty => Chunks.Count == 0;

    /// <summary>Plans the sequence's next <paramref name="count"/> known tokens (from its computed count on) and the drafts after them.</summary>
    public void Add(Sequence sequence, int count, IReadOnlyList<int> drafts, IReadOnlyList<Sequence> forks)
    {
        var start = sequence.ComputedCount;
        var producesToken = start + count == sequence.Length;
        // A decode runs only the token sampled last step; anything else is prompt (or recomputed) tokens.
        var isDecode = producesToken && count == 1 && sequence.GeneratedCount > 0;
        Chunks.Add(new ScheduledChunk(sequence, start, count, drafts, forks, producesToken, isDecode));
    }

    public void Clear()
    {
        Chunks.Clear();
        Copies.Clear();
        Loads.Clear();
        Admissions.Clear();
    }
}
