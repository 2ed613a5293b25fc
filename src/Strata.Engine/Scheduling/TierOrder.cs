using Strata.Engine.Control;

namespace Strata.Engine.Scheduling;

/// <summary>
/// Service tiers, then fairness between tenants, then arrival (llm-d's flow control: priority band, fairness, order).
/// A sequence's rank is its tier, raised one tier for every <paramref name="agingStep"/> it has waited since it
/// arrived, so no lower tier starves: after (tier × step) it ranks with the highest. Within a rank, requests not yet
/// started are taken round-robin between tenants (<see cref="TenantRoundRobin"/>); a preempted sequence keeps its
/// place ahead of them. A waiting sequence outranks a running one of a strictly worse rank and may preempt it.
/// </summary>
internal sealed class TierOrder(TimeProvider clock, TimeSpan agingStep) : ISchedulingPolicy
{
    private readonly TenantRoundRobin _tenants = new();
    private readonly List<(int Rank, long Turn, Sequence Sequence)> _keys = [];
    private readonly long _agingTicks = Math.Max(1, (long)(agingStep.TotalSeconds * clock.TimestampFrequency));
    private long _now;

    public void Sort(List<Sequence> sequences)
    {
        _now = clock.GetTimestamp();
        _keys.Clear();
        foreach (var sequence in sequences)
            _keys.Add((Rank(sequence), 0, sequence));
        _keys.Sort(static (x, y) => x.Rank != y.Rank ? x.Rank.CompareTo(y.Rank) : ArrivalOrder.Instance.Compare(x.Sequence, y.Sequence));
        _tenants.AssignTurns(_keys);
        _keys.Sort(static (x, y) =>
        {
            var c = x.Rank.CompareTo(y.Rank);
            if (c == 0)
                c = x.Turn.CompareTo(y.Turn);
            return c != 0 ? c : ArrivalOrder.Instance.Compare(x.Sequence, y.Sequence);
        });
        for (var i = 0; i < _keys.Count; i++)
            sequences[i] = _keys[i].Sequence;
    }

    public bool Outranks(Sequence waiting, Sequence running) => Rank(waiting) < Rank(running);

    public void Admitted(Sequence sequence) => _tenants.Served(sequence.Tenant);

    /// <summary>The tier, less one for each aging step waited (0 is the highest rank).</summary>
    private int Rank(Sequence sequence)
    {
        var aged = (_now - sequence.Arrival) / _agingTicks;
        return (int)Math.Max(0, (long)sequence.Tier - aged);
    }
}
