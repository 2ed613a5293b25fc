using System.Security.Cryptography;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// A prefill node's leases (vLLM's disaggregated hand-off keeps blocks the same way): a computed prompt's full blocks
/// held by reference for a decode node to pull, released when the pull ends or, if nobody comes, at the deadline. Ended
/// ids are remembered (the last <see cref="RememberedEnds"/>) so a late pull is told "ended", not "unknown". Belongs to
/// the engine loop.
/// </summary>
internal sealed class KvLeases(BlockManager blocks, TimeProvider clock)
{
    private const int RememberedEnds = 4096;
    private readonly Dictionary<string, KvLease> _held = [];
    private readonly HashSet<string> _ended = [];
    private readonly Queue<string> _endOrder = new();

    public int Held => _held.Count;

    public int HeldBlocks => _held.Values.Sum(l => l.Table.Count);

    public long Granted { get; private set; }

    public long Pulled { get; private set; }

    public long Expired { get; private set; }

    public IEnumerable<BlockTable> Tables => _held.Values.Select(l => l.Table);

    /// <summary>Holds <paramref name="cached"/> (block ids of <paramref name="entries"/>, the chain from its start) until <paramref name="ttl"/> from now.</summary>
    public KvLease Grant(IReadOnlyList<int> cached, IReadOnlyList<CachedBlock> entries, TimeSpan ttl)
    {
        var table = new BlockTable();
        blocks.Attach(table, cached);
        var lease = new KvLease(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), table, [.. entries.Take(cached.Count)], clock.GetUtcNow() + ttl);
        _held.Add(lease.Id, lease);
        Granted++;
        return lease;
    }

    /// <summary>The lease for a pull, marked as being pulled; null with the reason when there is none to take.</summary>
    public (LeaseStatus Status, KvLease? Lease) Take(string id)
    {
        if (_held.TryGetValue(id, out var lease) && !lease.Pulling)
        {
            lease.Pulling = true;
            return (LeaseStatus.Taken, lease);
        }
        return (lease is not null || _ended.Contains(id) ? LeaseStatus.Ended : LeaseStatus.Unknown, null);
    }

    /// <summary>Releases a pulled lease's blocks.</summary>
    public void EndPull(string id)
    {
        if (_held.TryGetValue(id, out var lease))
        {
            End(lease);
            Pulled++;
        }
    }

    public void ExpireDue()
    {
        if (_held.Count == 0)
            return;
        var now = clock.GetUtcNow();
        foreach (var lease in _held.Values.Where(l => !l.Pulling && l.Expires <= now).ToList())
        {
            End(lease);
            Expired++;
        }
    }

    private void End(KvLease lease)
    {
        _held.Remove(lease.Id);
        blocks.Free(lease.Table);
        _ended.Add(lease.Id);
        _endOrder.Enqueue(lease.Id);
        if (_endOrder.Count > RememberedEnds)
            _ended.Remove(_endOrder.Dequeue());
    }
}
