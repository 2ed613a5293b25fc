namespace Strata.Engine;

/// <summary>What became of a KV lease a peer asks for.</summary>
public enum LeaseStatus
{
    /// <summary>Held and now taken by the asker.</summary>
    Taken,

    /// <summary>No lease of that id was ever granted here (or it ended too long ago to remember).</summary>
    Unknown,

    /// <summary>It expired, or was pulled already: its blocks are no longer held.</summary>
    Ended,
}
