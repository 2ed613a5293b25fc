namespace Strata.Router.Nodes;

/// <summary>
/// What a cached block saves a node, as a fraction of computing it: one in the working pool saves all of it; one below
/// must be copied up first, so it saves less the slower its tier (host memory is a copy, disk a read, the remote store
/// a network round trip and a checksum).
/// </summary>
internal static class TierCredit
{
    public static TierSet Parse(string tier) => tier switch
    {
        "pool" => TierSet.Pool,
        "host" => TierSet.Host,
        "disk" => TierSet.Disk,
        "remote" => TierSet.Remote,
        _ => TierSet.None,
    };

    public static double Of(TierSet tiers) =>
        (tiers & TierSet.Pool) != 0 ? 1.0
        : (tiers & TierSet.Host) != 0 ? 0.8
        : (tiers & TierSet.Disk) != 0 ? 0.6
        : (tiers & TierSet.Remote) != 0 ? 0.4
        : 0.0;
}
