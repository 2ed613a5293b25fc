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

    public bool IsEmpty => Chunks.Count == 0;

    public void Add(Sequence sequence, int count, IReadOnlyList<int> drafts, IReadOnlyList<Sequence> forks) =>
        Chunks.Add(new ScheduledChunk(sequence, sequence.ComputedCount, count, drafts, forks));

    public void Clear()
    {
        Chunks.Clear();
        Copies.Clear();
        Loads.Clear();
    }
}
