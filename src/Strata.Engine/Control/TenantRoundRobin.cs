using Strata.Engine.Requests;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Control;

/// <summary>
/// Round-robin between tenants, as start-time fair queuing with one unit per request: each tenant's next request gets
/// the turn after its last one served, but never before the turn being served now, so a tenant that was idle earns no
/// credit and one with many requests queued takes one turn in each round.
/// </summary>
internal sealed class TenantRoundRobin
{
    private readonly Dictionary<string, long> _nextTurn = [];
    private readonly Dictionary<string, long> _queued = [];
    private long _current;

    /// <summary>
    /// Gives each sequence not yet started its turn, in the order given (rank and tier, then arrival): a tenant's k-th
    /// queued request in a rank and tier gets its tenant's next turn + k. A sequence that was preempted keeps its place
    /// ahead of all.
    /// </summary>
    public void AssignTurns(List<(int Rank, long Turn, Sequence Sequence)> keys)
    {
        (int Rank, ServiceTier Tier)? group = null;
        for (var i = 0; i < keys.Count; i++)
        {
            var (r, _, sequence) = keys[i];
            if (group != (r, sequence.Tier))
            {
                _queued.Clear();
                group = (r, sequence.Tier);
            }
            if (sequence.CachedPromptTokens is not null)
            {
                keys[i] = (r, long.MinValue, sequence);
                continue;
            }
            var ahead = _queued.GetValueOrDefault(sequence.Tenant);
            _queued[sequence.Tenant] = ahead + 1;
            keys[i] = (r, Math.Max(_nextTurn.GetValueOrDefault(sequence.Tenant), _current) + ahead, sequence);
        }
    }

    /// <summary>Records that one of <paramref name="tenant"/>'s requests was started.</summary>
    public void Served(string tenant)
    {
        var turn = Math.Max(_nextTurn.GetValueOrDefault(tenant), _current);
        _current = turn;
        _nextTurn[tenant] = turn + 1;
    }
}
