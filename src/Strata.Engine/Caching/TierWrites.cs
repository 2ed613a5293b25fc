namespace Strata.Engine.Caching;

/// <summary>When a tier receives blocks from the working pool.</summary>
internal enum TierWrites
{
    /// <summary>Cached blocks as the working pool evicts them (host memory: the next tier down, LRU).</summary>
    OnEviction,

    /// <summary>Every full block as soon as it is registered, written in the background (disk, a shared store).</summary>
    WriteThrough,

    /// <summary>None: the tier only lends blocks put there from outside (a peer's hand-off).</summary>
    Never,
}
