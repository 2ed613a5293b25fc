using Strata.Engine.Control;

namespace Strata.Engine.Scheduling;

/// <summary>
/// Service tiers, then fairness between tenants, then arrival (llm-d's flow control: priority band, fairness, order).
/// A sequence's rank is its tier, raised one rank for every <paramref name="agingStep"/> it has waited since it
/// arrived, so no lower tier starves. Among equal ranks the better tier goes first: a request aged up to the priority
/// tier's rank waits behind priority requests that arrived after it (which keeps the priority tier's time to first
/// token), and only one step later outranks them — after (tier + 1) steps it is ahead of every fresh request. Within a
/// rank and tier, requests not yet started are taken round-robin between tenants (<see cref="TenantRoundRobin"/>); a
/// preempted sequence keeps its place ahead of them. A waiting sequence outranks a running one of a strictly better
/// rank and may preempt it.
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
        _keys.Sort(static (x, y) =>
        {
            var c = ByRankThenTier(x, y);
            return c != 0 ? c : ArrivalOrder.Instance.Compare(x.Sequence, y.Sequence);
        });
        _tenants.AssignTurns(_keys);
        _keys.Sort(static (x, y) =>
        {
            var c = ByRankThenTier(x, y);
            if (c == 0)
                c = x.Turn.CompareTo(y.Turn);
            return c != 0 ? c : ArrivalOrder.Instance.Compare(x.Sequence, y.Sequence);
        });
        for (var i = 0; i < _keys.Count; i++)
            sequences[i] = _keys[i].Sequence;
    }

    public bool Outranks(Sequence waiting, Sequence running) => Rank(waiting) < Rank(running);

    public void Admitted(Sequence sequence) => _tenants.Served(sequence.Tenant);

    /// <summary>The tier, less one for each aging step waited (lower is more urgent; a long wait goes below the priority tier's 0).</summary>
    private int Rank(Sequence sequence)
    {
        var aged = (_now - sequence.Arrival) / _agingTicks;
        return (int)Math.Max(int.MinValue / 2, (long)sequence.Tier - aged);
    }

    private static int ByRankThenTier((int Rank, long Turn, Sequence Sequence) x, (int Rank, long Turn, Sequence Sequence) y)
    {
        var c = x.Rank.CompareTo(y.Rank);
        return c != 0 ? c : x.Sequence.Tier.CompareTo(y.Sequence.Tier);
    }
}
