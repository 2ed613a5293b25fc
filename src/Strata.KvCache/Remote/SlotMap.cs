namespace Strata.KvCache.Remote;

/// <summary>Which server owns each of the 16384 hash slots.</summary>
internal sealed class SlotMap
{
    private readonly StoreNode[] _owners;

    private SlotMap(StoreNode[] owners, bool isCluster)
    {
        _owners = owners;
        IsCluster = isCluster;
    }

    /// <summary>Whether the map came from a Redis Cluster (CLUSTER SLOTS) rather than from the configured list.</summary>
    public bool IsCluster { get; }

    /// <summary>Client-side sharding over plain servers: equal contiguous slot ranges in the order given.</summary>
    public static SlotMap Sharded(IReadOnlyList<StoreNode> nodes)
    {
        var owners = new StoreNode[HashSlot.Count];
        for (var slot = 0; slot < owners.Length; slot++)
            owners[slot] = nodes[(int)((long)slot * nodes.Count / HashSlot.Count)];
        return new SlotMap(owners, isCluster: false);
    }

    /// <summary>
    /// The map a CLUSTER SLOTS reply describes: entries [start, end, [host, port, ...], replicas...]. Slots no node
    /// serves stay with <paramref name="fallback"/>, which answers for them with a redirect or an error.
    /// </summary>
    public static SlotMap FromClusterSlots(RespReply reply, StoreNode fallback, Func<RemoteEndpoint, StoreNode> nodeAt)
    {
        var owners = new StoreNode[HashSlot.Count];
        Array.Fill(owners, fallback);
        foreach (var range in reply.Items ?? throw new InvalidDataException("CLUSTER SLOTS: not an array"))
        {
            if (range.Items is not { Length: >= 3 } items || items[2].Items is not { Length: >= 2 } primary)
                throw new InvalidDataException("CLUSTER SLOTS: malformed slot range");
            var host = primary[0].AsText();
            var endpoint = new RemoteEndpoint(host is null or "" or "?" ? fallback.Endpoint.Host : host, (int)primary[1].Integer);
            var owner = nodeAt(endpoint);
            var start = (int)Math.Clamp(items[0].Integer, 0, HashSlot.Count - 1);
            var end = (int)Math.Clamp(items[1].Integer, 0, HashSlot.Count - 1);
            for (var slot = start; slot <= end; slot++)
                owners[slot] = owner;
        }
        return new SlotMap(owners, isCluster: true);
    }

    public StoreNode Owner(int slot) => _owners[slot];

    /// <summary>Records a MOVED answer at once, before the next full refresh (a reference write is atomic).</summary>
    public void Assign(int slot, StoreNode owner) => _owners[slot] = owner;
}
