namespace Strata.Engine;

public enum KvEventKind
{
    /// <summary>The block is findable in the tier (a write-through tier may still be writing it).</summary>
    Stored,

    /// <summary>The block left the tier.</summary>
    Removed,
}
