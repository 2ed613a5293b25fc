using Strata.KvCache;

namespace Strata.Engine.Scheduling;

/// <summary>What one engine step runs: chunks of sequences, and the block copies that must happen first.</summary>
internal sealed class SchedulerPlan
{
    public List<ScheduledChunk> Chunks { get; } = [];

    public List<BlockCopy> Copies { get; } = [];

    /// <summary>Blocks to fill with payloads loaded from lower tiers, before the forward pass.</summary>
    public List<(int Block, byte[] Payload)> Loads { get; } = [];

    public bool IsEmpty => Chunks.Count == 0;

    public void Add(Sequence sequence, int count)
    {
        Chunks.Add(new ScheduledChunk(sequence, sequence.ComputedCount, count));
    }

    public void Clear()
    {
        Chunks.Clear();
        Copies.Clear();
        Loads.Clear();
    }
}
